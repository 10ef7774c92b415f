#pragma once
// Response header rewriting (ap_proxy_location_reverse_map, ap_proxy_cookie_reverse_map): Location,
// Content-Location and URI by ProxyPassReverse; Set-Cookie path= and domain= by
// ProxyPassReverseCookiePath / ProxyPassReverseCookieDomain.
#include <cstdint>
#include <string>
#include <string_view>

#include "directives/model/proxy_conf.hpp"
#include "server/proxypass/env_lookup.hpp"

namespace balancerd::proxypass {

// What ap_construct_url needs to build the front end's own URL: the request's scheme ("http" or
// "https"), the server name ap_get_server_name_for_url gives (UseCanonicalName: ServerName, or the
// client's Host; IPv6 without brackets), and ap_get_server_port's port.
struct SelfUrl {
  std::string_view scheme;
  std::string_view host;
  std::uint16_t port = 0;
};

// ap_construct_url: scheme "://" host [":" port] path (port left out when it is the scheme's
// default; an IPv6 host in brackets).
std::string construct_url(const SelfUrl& self, std::string_view path);

// The rewritten value of a Location / Content-Location / URI header. `dir` gives the
// ProxyPassReverse list (config order, first match) and ProxyPassInterpolateEnv; `server` the
// balancers whose members a "balancer://" rule expands to. Returns `value` unchanged when no rule
// matches. Only for reverse-proxy requests (the caller does not call it for forward proxying).
std::string reverse_url(const directives::ProxyServerConf& server, const directives::ProxyDirConf& dir,
                        std::string_view value, const SelfUrl& self, const EnvLookup& env = {});

// The rewritten value of a Set-Cookie (or Set-Cookie2) header: a path= attribute by
// ProxyPassReverseCookiePath, a domain= attribute by ProxyPassReverseCookieDomain. Returns `value`
// unchanged when no rule applies.
std::string reverse_cookie(const directives::ProxyDirConf& dir, std::string_view value,
                           const EnvLookup& env = {});

} // namespace balancerd::proxypass
