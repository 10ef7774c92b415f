#pragma once
// The listener's options (net::ServerOptions) from the main server of a compiled config: Listen
// addresses, Timeout, KeepAlive*, LimitRequest*, ServerTokens, ServerSignature, ServerAdmin, and
// RequestReadTimeout per base server.
#include "directives/model/config.hpp"
#include "server/net/server_options.hpp"

namespace balancerd::lifecycle {

net::ServerOptions server_options_from_config(const directives::Config& config, const std::string& main_name);

// RequestReadTimeout of one server (runtime::kMainServer or a vhost index), merged over the main
// server's, with mod_reqtimeout's defaults when it is loaded (all off when it is not).
http::RequestReadTimeouts request_read_timeouts(const directives::Config& config, int server);

// The stages of each connection's base server by its local address; null when every server has the
// same (then ConnectionOptions::request_read holds them).
std::shared_ptr<const net::ReadTimeoutsByAddress> read_timeouts_by_address(const directives::Config& config,
                                                                           const std::string& main_name);

} // namespace balancerd::lifecycle
