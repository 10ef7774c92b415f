#pragma once
// An IP network as Apache's "Require ip", "-ipmatch" and mod_remoteip accept it (APR's
// apr_ipsubnet_create rules): full or partial IPv4 ("10.1" = 10.1.0.0/16), IPv6, and an optional
// "/bits" or "/dotted.mask".
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace balancerd::directives {

struct IpSubnet {
  bool v6 = false;
  std::array<std::uint8_t, 16> addr{}; // network address (IPv4 uses the first 4 bytes)
  std::array<std::uint8_t, 16> mask{};

  // Does this network contain `ip` (4 or 16 bytes in network order)? IPv4-mapped IPv6 addresses
  // match IPv4 networks, as in APR.
  bool contains(const std::uint8_t* ip, bool ip_is_v6) const;
};

enum class IpSubnetError {
  NotAnAddress, // APR_EINVAL: does not even look like an IP (a host name, say)
  BadAddress,   // APR_EBADIP: "The specified IP address is invalid."
  BadMask,      // APR_EBADMASK: "The specified network mask is invalid."
};

struct IpSubnetResult {
  std::optional<IpSubnet> subnet;
  IpSubnetError error = IpSubnetError::BadAddress; // when !subnet
};

// `text` is "ip" or "ip/mask".
IpSubnetResult parse_ip_subnet(std::string_view text);
// APR's strerror text for an error ("" for NotAnAddress, which Apache prints without a reason).
std::string_view ip_subnet_error_text(IpSubnetError e);

} // namespace balancerd::directives
