#pragma once
// A backend URL taken apart the way mod_proxy_http does before it connects: scheme, host, port (the
// scheme's default when none is given), the request-URI it sends ("/path?query"), and the Unix
// socket path of a "unix:/path|http://host/..." URL.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace balancerd::proxypass {

struct BackendUrl {
  std::string scheme;     // lower-case: "http", "https", "ws", "wss", "ajp", "fcgi", "h2", "h2c", ...
  std::string host;       // as given (case kept), IPv6 without brackets
  std::uint16_t port = 0; // explicit port, else default_port(scheme)
  bool port_given = false;
  std::string request_uri; // path and query as sent on the request line ("/" when the URL has no path)
  std::string uds_path;    // the socket path of a "unix:" URL, else ""

  // What mod_proxy_http puts in the Host header when ProxyPreserveHost is Off: the host (IPv6 in
  // brackets), plus ":port" when the URL gives a port other than 80 (whatever the scheme: Apache
  // compares with 80, so "https://h:80/" sends "Host: h"; a canonical URL has no default port).
  std::string host_header() const;
  // The same value written into `buf` when it fits (any host under 250 bytes), else into `spill`:
  // the request path builds it on the stack.
  std::string_view host_header(std::span<char, 256> buf, std::string& spill) const;
};

// Apache's default port for a proxy scheme (ap_proxy_port_of_scheme): http/ws 80, https/wss 443,
// ajp 8009, fcgi 8000, scgi 4000, h2c 80, h2 443, ftp 21; 0 when unknown.
std::uint16_t default_port(std::string_view scheme);

// Parses "scheme://[user@]host[:port][/path][?query]" or "unix:/path|scheme://host/...". Nothing
// when there is no "scheme://" or the port is not a number in 0..65535.
std::optional<BackendUrl> parse_backend_url(std::string_view url);
// The same, into `out` (its strings keep their capacity): false, and `out` unspecified, when
// parse_backend_url gives nothing.
bool parse_backend_url(std::string_view url, BackendUrl& out);

// The URL a balancer member is sent for a balancer URL (mod_proxy_balancer's rewrite_url): the
// member's name followed by everything from the first '/' after "balancer://name", with no slash
// fix-up (member "http://h/m1/" and "balancer://app/x" give "http://h/m1//x", as apache2 sends).
std::string balancer_member_url(std::string_view member_name, std::string_view balancer_url);

// The request-URI sent to the backend for a target URL: everything from the path on ("/p?q"), "/"
// when the URL ends after the authority. (mod_proxy_http sends the canonical URL's path and query.)
std::string backend_request_uri(std::string_view url);

} // namespace balancerd::proxypass
