#include "server/proxy/proxy_engine.hpp"

#include "server/backend/backend_pools.hpp"
#include "server/proxy/proxy_request.hpp"

namespace balancerd::proxy {

struct ProxyEngine::Impl {
  explicit Impl(balancer::StateStore& s) : store(s) {}
  balancer::StateStore& store;
};

ProxyEngine::ProxyEngine(balancer::StateStore& store) : impl_(std::make_unique<Impl>(store)) {}

ProxyEngine::~ProxyEngine() = default;

void ProxyEngine::handle(net::Exchange& ex, pipeline::RequestState& state, proxypass::ProxyTarget target) {
  start_proxy_request(impl_->store, ex, state, std::move(target));
}

void ProxyEngine::close_idle() {
  // Each io thread closes its pools' idle connections at its next backend use.
  backend::BackendPools::close_idle_everywhere();
}

} // namespace balancerd::proxy
