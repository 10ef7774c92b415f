#pragma once
// Host-name comparisons of virtual host selection: the request's host normalised the way Apache
// compares it, and ServerAlias wildcards.
#include <string>
#include <string_view>

namespace balancerd::runtime {

// The host of a Host header or of an absolute request-URI's authority as Apache compares it: port
// removed, IPv6 brackets removed, one trailing dot removed, lower-cased. "" for an empty host.
std::string normalize_host(std::string_view host);
// The same into `out` (cleared first; its capacity is reused): the per-request form.
void normalize_host(std::string_view host, std::string& out);

// The host a request is matched by: the authority of an absolute request-URI when there is one
// (apache2 prefers it to the Host header: `GET http://second.example/x` with `Host: first.example` is
// served by second.example), else the Host header; normalised as above.
std::string request_host(std::string_view absolute_uri_authority, std::string_view host_header);

// ServerAlias wildcard match, case-insensitive: '*' matches any run of characters (dots included),
// '?' exactly one. `pattern` and `name` are expected lower-cased already.
bool wildcard_match(std::string_view pattern, std::string_view name);

// True when the text has a wildcard character ('*' or '?'), as ServerAlias sorts names.
bool has_wildcard(std::string_view text);

} // namespace balancerd::runtime
