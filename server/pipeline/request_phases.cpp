#include "server/pipeline/request_phases.hpp"

#include <chrono>

#include "server/access/host_cache.hpp"
#include "server/headers/header_rules.hpp"
#include "server/headers/request_env.hpp"

namespace balancerd::pipeline {
namespace {

namespace d = directives;

// From now on ctx reads (and rules edit) a copy of the request headers.
void own_headers_in(RequestState& state) {
  if (state.ctx.headers_in) return;
  state.headers_in.clear();
  for (const auto& h : state.ctx.raw_headers) state.headers_in.add(h.name, h.value);
  state.ctx.headers_in = &state.headers_in;
}

bool has_request_rules(const d::HeadersDirConf& conf, bool early) {
  for (const d::HeaderRule& r : conf.rules)
    if (r.table == d::HeaderTable::Request && (r.condition.kind == d::HeaderCondition::Kind::Early) == early)
      return true;
  return false;
}

void request_headers(RequestState& state, const d::HeadersDirConf& conf, headers::RequestPhase phase) {
  if (!has_request_rules(conf, phase == headers::RequestPhase::Early)) return;
  own_headers_in(state);
  headers::HeaderEnv env{state.ctx, nullptr, &state.scratch};
  headers::apply_request_headers(conf, phase, state.headers_in, env);
}

std::string_view header_value(const RequestState& state, std::string_view name) {
  auto v = state.ctx.request_header(name);
  return v ? *v : std::string_view();
}

// HostnameLookups On/Double: SetEnvIf Remote_Host rules match the client's name, looked up when
// a rule asks for it (as Apache does it lazily) and kept for the request (%h, REMOTE_HOST).
void lookup_for_setenvif(RequestState& state, const d::DirConf& conf, std::size_t first_rule) {
  if (!state.remote_host.empty()) return;
  const auto& mode = conf.core->hostname_lookups;
  if (!mode || *mode == "off") return;
  const auto& rules = conf.env.setenvif;
  bool wanted = false;
  for (std::size_t i = first_rule; i < rules.size() && !wanted; ++i)
    wanted = rules[i].subject == d::SetEnvIfRule::Subject::RemoteHost;
  if (!wanted) return;
  state.remote_host = access::lookup_remote_host(access::thread_host_resolver(), *mode, state.useragent_ip);
  if (!state.remote_host.empty()) state.ctx.info.remote_host = state.remote_host;
}

} // namespace

void init_request_facts(RequestState& state, const net::Exchange& ex, std::string_view server_name,
                        std::string_view server_admin, std::string_view document_root) {
  const auto& req = ex.request();
  const auto& peer = ex.peer();
  auto& ctx = state.ctx;
  ctx.raw_headers = std::span<const http::Header>(req.headers.data(), req.headers.size());
  ctx.headers_in = nullptr;
  ctx.environment = &state.env;
  ctx.notes = &state.notes;
  ctx.headers_out = &state.headers_out;
  ctx.err_headers_out = &state.err_headers_out;
  ctx.vary = &state.vary;
  state.useragent_ip.assign(peer.remote_ip);
  state.the_request.assign(req.method_text);
  if (!req.target.empty()) state.the_request.append(" ").append(req.target);
  if (!req.protocol.empty()) state.the_request.append(" ").append(req.protocol);
  auto& f = ctx.info;
  f = expr::RequestFacts{};
  f.method = req.method_text;
  f.uri = req.path; // replaced by the normalised path once known
  f.query = req.query;
  f.protocol = req.protocol.empty() ? std::string_view("HTTP/0.9") : req.protocol;
  f.the_request = state.the_request;
  f.scheme = "http";
  f.server_name = server_name;
  f.server_admin = server_admin;
  f.document_root = document_root;
  f.context_document_root = document_root;
  f.useragent_ip = state.useragent_ip;
  f.client_ip = peer.remote_ip;
  f.local_ip = peer.local_ip;
  f.server_port = peer.local_port;
  f.remote_port = peer.remote_port;
  f.request_time_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
}

void run_post_read_request(RequestState& state, const net::Exchange& ex) {
  (void)ex;
  const auto& sv = *state.server;
  // mod_remoteip
  const d::EnvServerConf& rip = sv.merged.env;
  if (rip.remoteip_header) {
    const std::string_view value = header_value(state, *rip.remoteip_header);
    if (!value.empty()) {
      headers::RemoteIpResult r = headers::apply_remoteip(rip, state.useragent_ip, value);
      if (r.changed) {
        state.useragent_ip = std::move(r.useragent_ip);
        state.ctx.info.useragent_ip = state.useragent_ip;
        own_headers_in(state);
        if (r.header_consumed)
          state.headers_in.unset(*rip.remoteip_header);
        else
          state.headers_in.set(*rip.remoteip_header, r.header_rest);
        if (rip.remoteip_proxies_header && !r.proxies.empty())
          state.headers_in.set(*rip.remoteip_proxies_header, r.proxies);
        if (!r.proxies.empty()) state.notes.set("remoteip-proxy-ip-list", r.proxies);
      }
    }
  }
  if (!sv.base) return;
  request_headers(state, sv.base->headers, headers::RequestPhase::Early);
  if (!sv.base->env.setenvif.empty()) {
    lookup_for_setenvif(state, *sv.base, 0);
    headers::apply_setenvif(sv.base->env, state.ctx);
  }
}

void run_header_parser(RequestState& state, const d::DirConf& dir) {
  const std::size_t server_rules =
      state.server && state.server->base ? state.server->base->env.setenvif.size() : 0;
  if (dir.env.setenvif.size() <= server_rules) return;
  // The merged list is the server level's rules followed by the sections' (dir_merge appends).
  lookup_for_setenvif(state, dir, server_rules);
  headers::apply_setenvif(dir.env, state.ctx, nullptr, server_rules);
}

void run_fixups(RequestState& state, const d::DirConf& dir) {
  if (!dir.env.setenv.empty() || !dir.env.passenv.empty()) headers::apply_setenv(dir.env, state.ctx);
  request_headers(state, dir.headers, headers::RequestPhase::Fixup);
}

} // namespace balancerd::pipeline
