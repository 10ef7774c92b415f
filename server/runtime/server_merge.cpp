#include "server/runtime/server_merge.hpp"

#include <chrono>

#include "directives/modules/proxy_merge.hpp"
#include "server/runtime/dir_merge.hpp"
#include "server/runtime/merge_rules.hpp"

namespace balancerd::runtime {

namespace d = directives;
using merge::append;
using merge::override_if_set;
using merge::override_unless;
using merge::replace_if_nonempty;

namespace {

d::CoreServerConf merge_core_server(const d::CoreServerConf& base, const d::CoreServerConf& v) {
  // Start from the main server: every global setting stays as it is there.
  d::CoreServerConf out = base;
  out.server_name = v.server_name ? v.server_name : base.server_name;
  out.server_scheme = v.server_name ? v.server_scheme : base.server_scheme;
  out.server_port = v.server_name ? v.server_port : base.server_port;
  out.aliases = v.aliases;
  out.addresses = v.addresses;
  override_if_set(out.server_admin, v.server_admin);
  override_if_set(out.document_root, v.document_root);
  override_if_set(out.timeout, v.timeout);
  override_if_set(out.keep_alive, v.keep_alive);
  override_if_set(out.keep_alive_timeout, v.keep_alive_timeout);
  override_if_set(out.max_keep_alive_requests, v.max_keep_alive_requests);
  override_if_set(out.limit_request_line, v.limit_request_line);
  override_if_set(out.limit_request_field_size, v.limit_request_field_size);
  override_if_set(out.limit_request_fields, v.limit_request_fields);
  override_if_set(out.http_protocol_strict, v.http_protocol_strict);
  override_if_set(out.http_protocol_register_methods, v.http_protocol_register_methods);
  override_if_set(out.http_protocol_allow_09, v.http_protocol_allow_09);
  override_if_set(out.trace_enable, v.trace_enable);
  replace_if_nonempty(out.protocols, v.protocols);
  override_if_set(out.protocols_honor_order, v.protocols_honor_order);
  override_if_set(out.merge_slashes, v.merge_slashes);
  override_if_set(out.allow_encoded_slashes, v.allow_encoded_slashes);
  override_if_set(out.error_log, v.error_log);
  override_if_set(out.error_log_format, v.error_log_format);
  return out;
}

// mod_proxy's merge lives beside its model (verified against apache2 on loopback); one copy only.
d::ProxyServerConf merge_proxy_server(const d::ProxyServerConf& base, const d::ProxyServerConf& v) {
  return d::proxy::merge_server_conf(base, v);
}

d::SslServerConf merge_ssl_server(const d::SslServerConf& base, const d::SslServerConf& v) {
  d::SslServerConf out = base;
  override_unless(out.engine, v.engine, d::SslEngine::Unset);
  d::SslProxySide server_side{};
  server_side.ctx = out.server;
  d::SslProxySide vhost_side{};
  vhost_side.ctx = v.server;
  merge_ssl_proxy_side(server_side, vhost_side);
  out.server = server_side.ctx;
  merge_ssl_proxy_side(out.proxy, v.proxy);
  override_if_set(out.honor_cipher_order, v.honor_cipher_order);
  override_if_set(out.compression, v.compression);
  override_if_set(out.session_tickets, v.session_tickets);
  override_if_set(out.insecure_renegotiation, v.insecure_renegotiation);
  override_if_set(out.strict_sni_vhost_check, v.strict_sni_vhost_check);
  override_if_set(out.use_stapling, v.use_stapling);
  override_if_set(out.ocsp_enable, v.ocsp_enable);
  // session_cache, session_cache_timeout, stapling_cache: global, the main server's.
  return out;
}

d::LogServerConf merge_log_server(const d::LogServerConf& base, const d::LogServerConf& v) {
  d::LogServerConf out;
  out.formats = base.formats;
  for (const auto& [name, fmt] : v.formats) out.formats[name] = fmt;
  out.default_format = v.default_format ? v.default_format : base.default_format;
  bool own = false;
  for (const auto& l : v.logs)
    if (!l.global) own = true;
  for (const auto& l : own ? v.logs : base.logs)
    if (!l.global) out.logs.push_back(l);
  for (const auto& l : base.logs)
    if (l.global) out.logs.push_back(l);
  out.buffered = base.buffered;
  out.track_ttfb = v.track_ttfb ? v.track_ttfb : base.track_ttfb;
  return out;
}

d::MappingServerConf merge_mapping_server(const d::MappingServerConf& base, const d::MappingServerConf& v) {
  d::MappingServerConf out;
  out.aliases = v.aliases;
  append(out.aliases, base.aliases);
  out.redirects = v.redirects;
  append(out.redirects, base.redirects);
  out.types_config = base.types_config;
  return out;
}

d::EnvServerConf merge_env_server(const d::EnvServerConf& base, const d::EnvServerConf& v) {
  d::EnvServerConf out = base;
  override_if_set(out.remoteip_header, v.remoteip_header);
  override_if_set(out.remoteip_proxies_header, v.remoteip_proxies_header);
  replace_if_nonempty(out.trusted_proxies, v.trusted_proxies);
  replace_if_nonempty(out.internal_proxies, v.internal_proxies);
  override_if_set(out.proxy_protocol, v.proxy_protocol);
  replace_if_nonempty(out.proxy_protocol_exceptions, v.proxy_protocol_exceptions);
  return out;
}

void merge_stage(d::ReadTimeoutStage& out, const d::ReadTimeoutStage& v) {
  if (v.set) out = v;
}

} // namespace

d::MiscServerConf merge_misc_server(const d::MiscServerConf& base, const d::MiscServerConf& v) {
  d::MiscServerConf out = base;
  merge_stage(out.handshake_timeout, v.handshake_timeout);
  merge_stage(out.header_timeout, v.header_timeout);
  merge_stage(out.body_timeout, v.body_timeout);
  auto& h = out.h2;
  const auto& o = v.h2;
  for (auto [dst, src] : {std::pair{&h.direct, &o.direct},
                          {&h.upgrade, &o.upgrade},
                          {&h.push, &o.push},
                          {&h.modern_tls_only, &o.modern_tls_only},
                          {&h.early_hints, &o.early_hints},
                          {&h.websockets, &o.websockets},
                          {&h.proxy_requests, &o.proxy_requests},
                          {&h.copy_files, &o.copy_files},
                          {&h.serialize_headers, &o.serialize_headers},
                          {&h.output_buffering, &o.output_buffering}})
    override_if_set(*dst, *src);
  for (auto [dst, src] : {std::pair{&h.max_session_streams, &o.max_session_streams},
                          {&h.window_size, &o.window_size},
                          {&h.min_workers, &o.min_workers},
                          {&h.max_workers, &o.max_workers},
                          {&h.max_worker_idle_seconds, &o.max_worker_idle_seconds},
                          {&h.stream_max_mem_size, &o.stream_max_mem_size},
                          {&h.tls_warmup_size, &o.tls_warmup_size},
                          {&h.tls_cooldown_secs, &o.tls_cooldown_secs},
                          {&h.padding_bits, &o.padding_bits},
                          {&h.stream_timeout, &o.stream_timeout},
                          {&h.max_data_frame_len, &o.max_data_frame_len},
                          {&h.max_header_block_len, &o.max_header_block_len},
                          {&h.max_stream_errors, &o.max_stream_errors}})
    override_if_set(*dst, *src);
  append(h.other, o.other);
  return out;
}

namespace {

http::ReadTimeoutStage stage_or(const d::ReadTimeoutStage& s, const http::ReadTimeoutStage& fallback) {
  if (!s.set) return fallback;
  http::ReadTimeoutStage out;
  out.timeout = std::chrono::seconds(s.timeout);
  out.max = std::chrono::seconds(s.max_timeout);
  out.min_rate = static_cast<unsigned>(s.min_rate > 0 ? s.min_rate : 0);
  return out;
}

} // namespace

http::RequestReadTimeouts request_read_timeouts(const d::MiscServerConf& misc, bool loaded) {
  if (!loaded) return {};
  const http::RequestReadTimeouts defaults = http::RequestReadTimeouts::module_defaults();
  http::RequestReadTimeouts out;
  out.header = stage_or(misc.header_timeout, defaults.header);
  out.body = stage_or(misc.body_timeout, defaults.body);
  // handshake= has no stage here (no TLS termination yet) but still keeps the module watching
  const bool handshake = misc.handshake_timeout.set && misc.handshake_timeout.timeout > 0;
  out.on = handshake || out.header.timeout.count() > 0 || out.body.timeout.count() > 0;
  return out;
}

d::ServerConf merge_server(const d::ServerConf& main, const d::ServerConf& vhost) {
  d::ServerConf out;
  out.is_vhost = vhost.is_vhost;
  out.file = vhost.file;
  out.line = vhost.line;
  out.core = merge_core_server(main.core, vhost.core);
  out.proxy = merge_proxy_server(main.proxy, vhost.proxy);
  // Allocated only when either side has SSL* settings (merging two defaults gives defaults).
  if (main.ssl.allocated() || vhost.ssl.allocated()) out.ssl = merge_ssl_server(*main.ssl, *vhost.ssl);
  out.log = merge_log_server(main.log, vhost.log);
  out.mapping = merge_mapping_server(main.mapping, vhost.mapping);
  out.env = merge_env_server(main.env, vhost.env);
  out.misc = merge_misc_server(main.misc, vhost.misc);
  out.dir = merge_dir(main.dir, vhost.dir);
  out.sections = vhost.sections;
  return out;
}

} // namespace balancerd::runtime
