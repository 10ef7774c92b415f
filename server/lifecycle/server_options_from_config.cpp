#include "server/lifecycle/server_options_from_config.hpp"

#include <strings.h>

#include <algorithm>
#include <set>

namespace balancerd::lifecycle {

namespace {

http::ServerTokens tokens_from(const std::optional<std::string>& s) {
  if (!s) return http::ServerTokens::Full;
  const char* v = s->c_str();
  if (!strcasecmp(v, "Prod") || !strcasecmp(v, "ProductOnly")) return http::ServerTokens::Prod;
  if (!strcasecmp(v, "Major")) return http::ServerTokens::Major;
  if (!strcasecmp(v, "Minor")) return http::ServerTokens::Minor;
  if (!strcasecmp(v, "Min") || !strcasecmp(v, "Minimal")) return http::ServerTokens::Minimal;
  if (!strcasecmp(v, "OS")) return http::ServerTokens::OS;
  return http::ServerTokens::Full;
}

} // namespace

net::ServerOptions server_options_from_config(const directives::Config& config,
                                              const std::string& main_name) {
  net::ServerOptions o;
  const auto& core = config.main.core;
  std::set<std::pair<std::string, unsigned short>> seen;
  for (const auto& l : core.listeners) {
    if (!seen.insert({l.host, l.port}).second) continue;
    o.listen.push_back({l.host, l.port});
  }
  auto& c = o.connection;
  if (core.timeout) c.timeout = *core.timeout;
  if (core.keep_alive) c.keep_alive = *core.keep_alive;
  if (core.keep_alive_timeout) c.keep_alive_timeout = *core.keep_alive_timeout;
  if (core.max_keep_alive_requests)
    c.max_keep_alive_requests = static_cast<unsigned>(std::max(0, *core.max_keep_alive_requests));
  if (core.limit_request_line)
    c.protocol.limit_request_line = static_cast<std::size_t>(*core.limit_request_line);
  if (core.limit_request_field_size)
    c.protocol.limit_request_field_size = static_cast<std::size_t>(*core.limit_request_field_size);
  if (core.limit_request_fields)
    c.protocol.limit_request_fields = static_cast<std::size_t>(*core.limit_request_fields);
  if (core.http_protocol_strict) c.protocol.strict = *core.http_protocol_strict;
  if (core.http_protocol_allow_09) c.protocol.allow_http09 = *core.http_protocol_allow_09;
  if (core.http_protocol_register_methods)
    c.protocol.registered_methods = *core.http_protocol_register_methods;
  if (config.main.dir.core->limit_request_body)
    c.limit_request_body = static_cast<std::uint64_t>(*config.main.dir.core->limit_request_body);
  c.server_header = std::string(http::server_banner(tokens_from(core.server_tokens)));
  const auto& sig = config.main.dir.core->server_signature;
  if (sig) {
    if (!strcasecmp(sig->c_str(), "on"))
      c.signature = http::ServerSignature::On;
    else if (!strcasecmp(sig->c_str(), "email"))
      c.signature = http::ServerSignature::EMail;
  }
  if (core.server_admin) c.server_admin = *core.server_admin;
  // mod_reqtimeout: its defaults apply whenever it is loaded; RequestReadTimeout sets stages
  if (std::any_of(config.modules.begin(), config.modules.end(),
                  [](const directives::LoadedModule& m) { return m.id == "reqtimeout_module"; })) {
    c.request_read = http::RequestReadTimeouts::module_defaults();
    auto stage = [](const directives::ReadTimeoutStage& s, http::ReadTimeoutStage& out) {
      if (!s.set) return;
      out.timeout = std::chrono::seconds(s.timeout);
      out.max = std::chrono::seconds(s.max_timeout);
      out.min_rate = static_cast<unsigned>(std::max(0, s.min_rate));
    };
    stage(config.main.misc.header_timeout, c.request_read.header);
    stage(config.main.misc.body_timeout, c.request_read.body);
  }
  c.server_name = main_name.empty() ? std::string("localhost") : main_name;
  if (core.listen_backlog) {
    try {
      o.backlog = std::stoi(*core.listen_backlog);
    } catch (...) {
    }
  }
  return o;
}

} // namespace balancerd::lifecycle
