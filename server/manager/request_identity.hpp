#pragma once
// Who the request thinks the server is: ap_get_server_name (the page's heading, the Referer check),
// ap_get_server_port and ap_construct_url (the edit forms' action), and the Referer check itself.
#include <optional>
#include <string>
#include <string_view>

namespace balancerd::manager {

struct RequestIdentity {
  std::string server_name; // lower-case; IPv6 without brackets
  unsigned port = 80;
};

struct IdentityInputs {
  std::string_view host;               // the Host header's (or absolute URI's) host, "" when none
  std::string_view host_port;          // its port text, "" when none
  std::string_view server_name;        // the server's ServerName as written ("" when none)
  std::optional<unsigned> server_port; // ServerName's port
  std::string_view fallback_name;      // the main server's guessed name
  std::string_view use_canonical_name; // "on", "off", "dns" ("" = off)
  unsigned local_port = 80;
};

// UseCanonicalName Off (the default): the client's host and port (80 when it gave none); On: the
// ServerName and its port (else the connection's).
RequestIdentity identify(const IdentityInputs& in);

// ap_construct_url(uri) for plain HTTP: "http://" name [":" port unless 80] uri (IPv6 in brackets).
std::string construct_url(const RequestIdentity& id, std::string_view uri);

// apr_uri_parse's hostname of a Referer value: present only for "scheme://host..." and "//host...".
std::optional<std::string> referer_hostname(std::string_view referer);

// mod_proxy_balancer's safe_referer: the Referer's host equals the server name (case-insensitive;
// the port is not compared).
bool safe_referer(std::string_view referer, std::string_view server_name);

} // namespace balancerd::manager
