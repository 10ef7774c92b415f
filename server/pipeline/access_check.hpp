#pragma once
// Require evaluation for the request path (mod_authz_core/authz_host): the providers that need
// nothing but the request (all, ip, local, method, env-less forms). Providers balancerd does not
// evaluate (user, group, host, expr...) count as "not granted", so they never open access by mistake.
#include "directives/model/authz_conf.hpp"
#include "server/net/exchange.hpp"

namespace balancerd::pipeline {

bool access_allowed(const directives::AuthzDirConf& authz, const http::Request& req,
                    const net::PeerInfo& peer);

} // namespace balancerd::pipeline
