#pragma once
// Apache's read_request step for a request whose target names the host (absolute-form, CONNECT):
// the request's Host header becomes the target's authority (see http/target_host.hpp) before any
// module sees the headers.
#include "server/http/request.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::pipeline {

// Call after init_request_facts, before post_read_request. A no-op (no copy of the headers) for the
// usual origin-form request.
void apply_target_host(RequestState& state, const http::Request& req);

} // namespace balancerd::pipeline
