#include "server/pipeline/request_phases.hpp"

#include <cctype>
#include <chrono>

#include "server/access/host_cache.hpp"
#include "server/headers/header_rules.hpp"
#include "server/headers/request_env.hpp"
#include "server/net/tls_facts.hpp"
#include "server/pipeline/ssl_vars.hpp"
#include "server/runtime/section_walk.hpp"
#include "server/runtime/server_merge.hpp"

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
  if (!mode || *mode == "off") return; // a name the connection has is already in state.remote_host
  const auto& rules = conf.env.setenvif;
  bool wanted = false;
  for (std::size_t i = first_rule; i < rules.size() && !wanted; ++i)
    wanted = rules[i].subject == d::SetEnvIfRule::Subject::RemoteHost;
  if (wanted) resolve_remote_host(state, &conf);
}

// Where the client's name is kept: on the connection (made there with `create`), unless
// mod_remoteip made the client another address than the connection's peer (then per request, as
// Apache's r->useragent_host).
net::ConnectionNames& names_for(RequestState& state, bool create) {
  if (state.exchange && state.useragent_ip == state.ctx.info.client_ip)
    if (net::ConnectionNames* names = state.exchange->connection_names(create)) return *names;
  return state.request_names;
}

void lower(std::string& s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// ExprContext's lazy REMOTE_HOST: HostnameLookups of the per-directory configuration as far as the
// request has one. During the section walk's <If> phase that is the latest section merged before
// the <If>s that sets it, else the server level's (as apache2 reads r->per_dir_config then).
std::string_view expr_remote_host(void* arg) {
  auto& state = *static_cast<RequestState*>(arg);
  const d::DirConf* server_level = state.server ? state.server->base.get() : nullptr;
  const d::DirConf* conf = state.dir ? state.dir.get() : server_level;
  if (const runtime::IfWalkScope* walk = runtime::current_if_walk()) {
    const d::DirConf* set =
        walk->latest([](const d::DirConf& c) { return c.core->hostname_lookups.has_value(); });
    conf = set ? set : server_level;
  }
  return resolve_remote_host(state, conf);
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
  auto& f = ctx.info; // defaults from reset(): not cleared a second time
  f.method = req.method_text;
  f.uri = req.path; // replaced by the normalised path once known
  f.query = req.query;
  f.protocol = req.protocol.empty() ? std::string_view("HTTP/0.9") : req.protocol;
  f.the_request = state.the_request;
  f.scheme = "http";
  ctx.ssl_vars = nullptr;
  if (peer.tls) [[unlikely]] {
    f.scheme = "https";
    f.https = true;
    fill_ssl_vars(state.ssl_vars, *peer.tls);
    ctx.ssl_vars = &state.ssl_vars;
  }
  f.server_name = server_name;
  f.server_admin = server_admin;
  f.document_root = document_root;
  f.context_document_root = document_root;
  f.useragent_ip = state.useragent_ip;
  f.client_ip = peer.remote_ip;
  f.local_ip = peer.local_ip;
  f.server_port = peer.local_port;
  f.remote_port = peer.remote_port;
  f.request_time_us =
      std::chrono::duration_cast<std::chrono::microseconds>(ex.request_time().time_since_epoch()).count();
  f.lookup_remote_host = &expr_remote_host;
  f.lookup_remote_host_arg = &state;
}

void remember_remote_host(RequestState& state) {
  if (state.remote_host.empty()) return;
  state.ctx.info.remote_host = state.remote_host;
  net::ConnectionNames& names = names_for(state, true);
  if (names.looked_up) return;
  names.remote_host = state.remote_host;
  names.looked_up = true;
}

std::string_view resolve_remote_host(RequestState& state, const d::DirConf* conf) {
  const std::optional<std::string>* mode = conf ? &conf->core->hostname_lookups : nullptr;
  const bool lookups = mode && *mode && **mode != "off";
  net::ConnectionNames& names = names_for(state, lookups);
  if (lookups && !names.looked_up) {
    // the per-thread cache in front of the system resolver (host_cache.hpp) answers repeat clients
    names.remote_host = access::thread_host_resolver().reverse(state.useragent_ip);
    lower(names.remote_host);
    names.looked_up = true;
    names.double_reverse = 0;
  }
  if (lookups && **mode == "double" && names.double_reverse == 0) {
    // Double: the name counts only if it resolves back to the address; a failure forgets it for
    // the connection, as Apache does
    std::string back =
        names.remote_host.empty()
            ? std::string()
            : access::double_reverse_lookup(access::thread_host_resolver(), state.useragent_ip);
    lower(back);
    const bool ok = !back.empty() && back == names.remote_host;
    names.double_reverse = ok ? 1 : -1;
    if (!ok && !names.remote_host.empty()) {
      if (state.remote_host == names.remote_host) {
        state.remote_host.clear();
        state.ctx.info.remote_host = {};
      }
      names.remote_host.clear();
    }
  }
  if (!names.remote_host.empty() && state.remote_host != names.remote_host)
    state.remote_host = names.remote_host;
  if (!state.remote_host.empty()) state.ctx.info.remote_host = state.remote_host;
  return state.ctx.info.remote_host;
}

void run_post_read_request(RequestState& state, net::Exchange& ex) {
  const auto& sv = *state.server;
  state.exchange = &ex;
  // mod_reqtimeout's body stage is the request's server's (its header stage was the connection's)
  ex.set_body_read_timeout(runtime::request_read_timeouts(sv.merged.misc, true).body);
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
  // a name an earlier request of the connection looked up is the client's name from the start
  if (const auto& names = names_for(state, false); !names.remote_host.empty()) {
    state.remote_host = names.remote_host;
    state.ctx.info.remote_host = state.remote_host;
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
  if (state.ctx.ssl_vars) [[unlikely]]
    export_ssl_env(state.env, *state.ctx.ssl_vars, dir); // mod_ssl's fixup: HTTPS=on, +StdEnvVars
  if (!dir.env.setenv.empty() || !dir.env.passenv.empty()) headers::apply_setenv(dir.env, state.ctx);
  request_headers(state, dir.headers, headers::RequestPhase::Fixup);
}

} // namespace balancerd::pipeline
