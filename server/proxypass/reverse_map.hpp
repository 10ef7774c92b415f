#pragma once
// Response header rewriting (ap_proxy_location_reverse_map, ap_proxy_cookie_reverse_map): Location,
// Content-Location and URI by ProxyPassReverse; Set-Cookie path= and domain= by
// ProxyPassReverseCookiePath / ProxyPassReverseCookieDomain.
#include <cstdint>
#include <optional>
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

// The host and port Apache puts in the front end's own URL (ap_get_server_name_for_url and
// ap_get_server_port), as apache2 2.4.71 answered them on loopback:
// - UseCanonicalName On: the ServerName host, and its port or else the scheme's default port;
// - Off (the default): the client's host (Host header or absolute URI; lower-cased, a trailing dot
//   dropped) or else the ServerName host, and the client's port, or else the ServerName port, or else
//   the scheme's default port. (Never the port the connection came in on.)
// `request_host` is empty when the client sent no host; `server_name_port` 0 when ServerName has none.
std::string self_host(bool canonical_on, std::string_view server_name, std::string_view request_host);
std::uint16_t self_port(std::string_view scheme, bool canonical_on, std::uint16_t server_name_port,
                        std::optional<std::uint16_t> request_port);

// ap_construct_url: scheme "://" host [":" port] path (port left out when it is the scheme's
// default; an IPv6 host in brackets).
std::string construct_url(const SelfUrl& self, std::string_view path);

// The rewritten value of a Location / Content-Location / URI header. `dir` gives the
// ProxyPassReverse list (config order, first match) and ProxyPassInterpolateEnv; `server` the
// balancers whose members a "balancer://" rule expands to. A rule's URL is compared as a
// case-insensitive prefix of the value (a URL starting with '/' against the value's path); the prefix
// is replaced by the rule's path and a result that is not a URL gets `self` in front. Returns `value`
// unchanged when no rule matches. Only for reverse-proxy requests (not for forward proxying).
std::string reverse_url(const directives::ProxyServerConf& server, const directives::ProxyDirConf& dir,
                        std::string_view value, const SelfUrl& self, const EnvLookup& env = {});

// The rewritten value of a Set-Cookie (or Set-Cookie2) header, as apache2 does it: the value of the
// last path= attribute is replaced whole by the public path of the first ProxyPassReverseCookiePath
// whose internal path is a prefix of it; the value of the last domain= attribute likewise by
// ProxyPassReverseCookieDomain, compared as a case-insensitive prefix (so ".backend.example" is not
// matched by "backend.example"). Returns `value` unchanged when no rule applies.
std::string reverse_cookie(const directives::ProxyDirConf& dir, std::string_view value,
                           const EnvLookup& env = {});

} // namespace balancerd::proxypass
