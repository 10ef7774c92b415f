#pragma once
// URL handling of mod_proxy's config side: APR's URI parser (what it accepts decides "Unable to parse
// URL" versus "URL must be absolute!"), the worker-name normalisation, the "unix:path|url" form, and
// APR's wildcard test.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace balancerd::directives::proxy {

// apr_uri_parse's result; absent parts are nullopt (empty and absent differ, as in APR).
struct ParsedUri {
  std::optional<std::string> scheme, hostinfo, user, password, hostname, port_str, path, query, fragment;
  std::uint16_t port = 0;
};

// nullopt where apr_uri_parse fails.
std::optional<ParsedUri> parse_uri(std::string_view uri);

// apr_uri_port_of_scheme (0 when unknown).
std::uint16_t apr_port_of_scheme(std::string_view scheme);
// ap_proxy_port_of_scheme: mod_proxy's own schemes first (ajp, ws, fcgi...), then APR's.
std::uint16_t proxy_port_of_scheme(std::string_view scheme);

// ap_proxy_de_socketfy: "unix:/p|http://h/x" -> "http://h/x" ("scheme:" and "scheme://" alone become
// "scheme://localhost"); nullopt when a "unix:...|" URL has no scheme after the '|'.
std::optional<std::string> de_socketfy(std::string_view url);

// apr_fnmatch_test: whether a path holds wildcard characters.
bool fnmatch_test(std::string_view pattern);

// ap_proxy_valid_balancer_name: starts with "balancer:" (any case).
bool is_balancer_url(std::string_view url);

// Lower-case "scheme://host" part of a balancer URL with its path removed, or nullopt when it does not
// have the "x://y" shape ("Bad syntax for a balancer name").
std::optional<std::string> balancer_key(std::string_view url);

// ASCII lower-casing of the part of a URL before its path (what Apache compares case-insensitively).
std::string lower_site_part(std::string_view url);

} // namespace balancerd::directives::proxy
