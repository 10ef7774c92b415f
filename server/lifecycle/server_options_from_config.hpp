#pragma once
// The listener's options (net::ServerOptions) from the main server of a compiled config: Listen
// addresses, Timeout, KeepAlive*, LimitRequest*, ServerTokens, ServerSignature, ServerAdmin.
#include "directives/model/config.hpp"
#include "server/net/server_options.hpp"

namespace balancerd::lifecycle {

net::ServerOptions server_options_from_config(const directives::Config& config, const std::string& main_name);

} // namespace balancerd::lifecycle
