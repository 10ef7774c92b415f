#pragma once
// One proxied request in flight (internal to the proxy engine): mod_proxy's handler with the
// balancer failover loop around mod_proxy_http's forwarding. It owns the backend lease, the response
// parser and the body relay, and frees itself once the client response has completed.
#include "server/net/exchange.hpp"
#include "server/pipeline/request_state.hpp"
#include "server/proxypass/proxy_target.hpp"

namespace balancerd::balancer {
class StateStore;
}

namespace balancerd::proxy {

// Starts the request; everything after runs from the io thread's event loop.
void start_proxy_request(balancer::StateStore& store, net::Exchange& ex, pipeline::RequestState& state,
                         proxypass::ProxyTarget target);

// Requests currently in flight in this process (tests check that nothing leaks).
std::size_t proxy_requests_in_flight() noexcept;

} // namespace balancerd::proxy
