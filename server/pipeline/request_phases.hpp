#pragma once
// The request-environment modules at the phases Apache runs them in:
//   post_read_request  mod_remoteip (the client address), `RequestHeader ... early`, and the
//                      server-level SetEnvIf rules
//   header_parser      SetEnvIf rules of the matched sections (<Directory>, <Location>...)
//   fixups             SetEnv/UnsetEnv/PassEnv (mod_env) and the other RequestHeader rules
// Request headers are copied into state.headers_in (and ctx reads them there) only when a rule or
// mod_remoteip changes them; otherwise ctx reads the parser's view without a copy.
#include "server/net/exchange.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::pipeline {

// Fills state.ctx's facts from the request and connection (before any phase runs). `state` is new or
// reset(): facts this does not set keep their defaults from there.
void init_request_facts(RequestState& state, const net::Exchange& ex, std::string_view server_name,
                        std::string_view server_admin, std::string_view document_root);

// Also hands the connection the RequestReadTimeout body stage of the request's server.
void run_post_read_request(RequestState& state, net::Exchange& ex);
// `dir` is the merged per-directory configuration; its SetEnvIf rules past the server level's run.
void run_header_parser(RequestState& state, const directives::DirConf& dir);
void run_fixups(RequestState& state, const directives::DirConf& dir);

// The client's name for REMOTE_HOST, %h and SetEnvIf Remote_Host: the one its connection already has,
// else, with HostnameLookups On or Double in `conf` (null: Off), looked up now and kept on the
// connection (a keep-alive connection resolves once). Sets state.remote_host and
// ctx.info.remote_host; "" means "use the address". A lookup that misses the per-thread cache
// blocks on the system resolver, as Apache's does.
std::string_view resolve_remote_host(RequestState& state, const directives::DirConf* conf);
// A name found otherwise (Require host's lookup, in state.remote_host): shown from now on and kept
// on the connection when it has none yet.
void remember_remote_host(RequestState& state);

} // namespace balancerd::pipeline
