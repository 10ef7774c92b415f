#pragma once
// ap_proxy_get_worker / ap_proxy_get_balancer over a request's merged server configuration (the
// directives library's config-time lookup, read-only): which configured worker
// serves a backend URL (the longest matching worker name; scheme://host compared case-insensitively,
// the path exactly; a ProxyPassMatch worker's name may hold $n, which matches any text), and which
// balancer a balancer:// URL names.
#include <string_view>

#include "directives/model/proxy_conf.hpp"

namespace balancerd::proxypass {

// The server-level worker for `url`, or null (Apache then uses its default reverse-proxy worker).
const directives::Worker* find_worker(const directives::ProxyServerConf& conf, std::string_view url);

// The balancer named by "balancer://name[/path]" (name compared case-insensitively), or null.
const directives::Balancer* find_balancer(const directives::ProxyServerConf& conf, std::string_view url);

} // namespace balancerd::proxypass
