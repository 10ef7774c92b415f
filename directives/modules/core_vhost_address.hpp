#pragma once
// Addresses of <VirtualHost> and Listen as APR splits them (apr_parse_addr_port).
#include "directives/diagnostics.hpp"
#include "directives/model/core_conf.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace balancerd::directives::core {

struct HostPort {
  std::string host;          // without brackets; empty if only a port was given
  std::uint16_t port = 0;    // 0 if none
  bool port_is_star = false; // "host:*"
};

// apr_parse_addr_port: "[v6]:port", "host:port", "host", "port". When the text after the last ':'
// is not a number, the whole text is the host (so "127.0.0.1:abc" is a host name). nullopt for an
// invalid port (0 or > 65535 given explicitly) or malformed brackets.
std::optional<HostPort> parse_host_port(const std::string& text);

// One <VirtualHost> address. A host name that does not resolve is logged as Apache does (AH00547,
// core:error) and skipped (no address, no error); a numeric port out of range is an error.
struct VhostAddressResult {
  std::optional<VhostAddress> address;
  std::optional<std::string> error;
};
VhostAddressResult parse_vhost_address(const std::string& word, Diagnostics& diagnostics);

} // namespace balancerd::directives::core
