#pragma once
// The balancer-manager handler (SetHandler balancer-manager): the pipeline calls it for a request
// whose per-directory configuration sets that handler (after access checks). It reads the query (GET,
// HEAD) or the form body (POST), applies changes to `store` as Apache does, and answers the HTML page,
// the "?xml" view, or the error page Apache sends. What it does, step by step, and the extensions
// (?auto, ?prometheus, ?json, JSON updates, row marks) are described in manager_request.hpp.
//
// Other methods: OPTIONS answers 200 with Allow, the rest 405 with Allow (Apache's handler declines
// them and its default handler answers so).
#include "server/balancer/state_store.hpp"
#include "server/net/exchange.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::manager {

// `state` and `store` must stay valid until the response has completed (the pipeline keeps the
// request state that long; the store lives for the process).
void serve_balancer_manager(net::Exchange& ex, pipeline::RequestState& state, balancer::StateStore& store);

} // namespace balancerd::manager
