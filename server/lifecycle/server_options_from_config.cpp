#include "server/lifecycle/server_options_from_config.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include "parser/ascii_case.hpp"
#include "server/net/tls_context.hpp"
#include "server/runtime/server_merge.hpp"
#include "server/runtime/vhost_selector.hpp"

namespace balancerd::lifecycle {

namespace {

http::ServerTokens tokens_from(const std::optional<std::string>& s) {
  if (!s) return http::ServerTokens::Full;
  using parser::ci_equal;
  const std::string_view v = *s;
  if (ci_equal(v, "Prod") || ci_equal(v, "ProductOnly")) return http::ServerTokens::Prod;
  if (ci_equal(v, "Major")) return http::ServerTokens::Major;
  if (ci_equal(v, "Minor")) return http::ServerTokens::Minor;
  if (ci_equal(v, "Min") || ci_equal(v, "Minimal")) return http::ServerTokens::Minimal;
  if (ci_equal(v, "OS")) return http::ServerTokens::OS;
  return http::ServerTokens::Full;
}

bool same_stage(const http::ReadTimeoutStage& a, const http::ReadTimeoutStage& b) {
  return a.timeout == b.timeout && a.max == b.max && a.min_rate == b.min_rate;
}

bool same_timeouts(const http::RequestReadTimeouts& a, const http::RequestReadTimeouts& b) {
  return a.on == b.on && same_stage(a.header, b.header) && same_stage(a.body, b.body);
}

// The base server of a local address by the vhost selector's own address rules (so the two cannot
// disagree), its stages merged over the main server's once per configuration.
class VhostReadTimeouts final : public net::ReadTimeoutsByAddress {
public:
  VhostReadTimeouts(const directives::Config& config, const std::string& main_name,
                    std::vector<http::RequestReadTimeouts> servers)
      : selector_(config, main_name), servers_(std::move(servers)) {}

  const http::RequestReadTimeouts& for_local(std::string_view local_ip, unsigned short port) const override {
    runtime::LocalEndpoint local;
    if (auto ip = runtime::IpAddress::parse(local_ip)) local.ip = *ip;
    local.port = port;
    const runtime::VhostSelector::Chain* chain = selector_.chain_for(local);
    const int server = chain && !chain->vhosts.empty() ? chain->vhosts.front() : runtime::kMainServer;
    return servers_[static_cast<std::size_t>(server + 1)];
  }

private:
  runtime::VhostSelector selector_;
  std::vector<http::RequestReadTimeouts> servers_; // [0] the main server, [i + 1] vhost i
};

} // namespace

http::RequestReadTimeouts request_read_timeouts(const directives::Config& config, int server) {
  const bool loaded =
      std::any_of(config.modules.begin(), config.modules.end(),
                  [](const directives::LoadedModule& m) { return m.id == "reqtimeout_module"; });
  if (server == runtime::kMainServer) return runtime::request_read_timeouts(config.main.misc, loaded);
  const auto& vhost = config.vhosts.at(static_cast<std::size_t>(server));
  return runtime::request_read_timeouts(runtime::merge_misc_server(config.main.misc, vhost.misc), loaded);
}

std::shared_ptr<const net::ReadTimeoutsByAddress> read_timeouts_by_address(const directives::Config& config,
                                                                           const std::string& main_name) {
  std::vector<http::RequestReadTimeouts> servers;
  servers.reserve(config.vhosts.size() + 1);
  servers.push_back(request_read_timeouts(config, runtime::kMainServer));
  bool differ = false;
  for (std::size_t i = 0; i < config.vhosts.size(); ++i) {
    servers.push_back(request_read_timeouts(config, static_cast<int>(i)));
    differ = differ || !same_timeouts(servers.back(), servers.front());
  }
  if (!differ) return nullptr; // every connection gets ConnectionOptions::request_read
  return std::make_shared<VhostReadTimeouts>(config, main_name, std::move(servers));
}

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
  const http::ServerTokens tokens = tokens_from(core.server_tokens);
  c.server_header = std::string(http::server_banner(tokens));
  // mod_ssl adds its library to the banner (ap_add_version_component), shown with ServerTokens Full
  if (tokens == http::ServerTokens::Full &&
      std::any_of(config.modules.begin(), config.modules.end(),
                  [](const directives::LoadedModule& m) { return m.id == "ssl_module"; }))
    c.server_header += " " + net::tls_library_component();
  const auto& sig = config.main.dir.core->server_signature;
  if (sig) {
    if (parser::ci_equal(*sig, "on"))
      c.signature = http::ServerSignature::On;
    else if (parser::ci_equal(*sig, "email"))
      c.signature = http::ServerSignature::EMail;
  }
  if (core.server_admin) c.server_admin = *core.server_admin;
  // mod_reqtimeout (per server: the stages of the connection's base server, see server_options.hpp)
  c.request_read = request_read_timeouts(config, runtime::kMainServer);
  c.request_read_by_address = read_timeouts_by_address(config, main_name);
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
