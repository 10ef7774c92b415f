#include "server/pipeline/target_host.hpp"

#include "server/http/target_host.hpp"

namespace balancerd::pipeline {

void apply_target_host(RequestState& state, const http::Request& req) {
  if (!req.absolute_uri && req.method != http::Method::Connect) return;
  thread_local std::string host;
  if (!http::target_host_value(req, host)) return;
  if (!state.ctx.headers_in) {
    // from now on ctx reads (and later rules edit) a copy of the request headers
    state.headers_in.clear();
    for (const auto& h : state.ctx.raw_headers) state.headers_in.add(h.name, h.value);
    state.ctx.headers_in = &state.headers_in;
  }
  state.headers_in.set("Host", host);
}

} // namespace balancerd::pipeline
