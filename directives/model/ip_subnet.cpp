#include "directives/model/ip_subnet.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <string>

namespace balancerd::directives {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// APR only tries to parse what looks like an address; anything else is "not an address" so
// callers can treat it as a host name.
bool looks_like_ip(std::string_view s) {
  if (s.find(':') != std::string_view::npos) return true;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// Partial dotted IPv4: one to four octets, a trailing dot allowed; the mask covers the octets given.
bool parse_v4_network(std::string_view s, IpSubnet& out) {
  int octets = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    if (j == i || j - i > 3 || octets == 4) return false;
    int v = std::stoi(std::string(s.substr(i, j - i)));
    if (v > 255) return false;
    out.addr[octets] = static_cast<std::uint8_t>(v);
    out.mask[octets] = 0xff;
    ++octets;
    i = j;
    if (i < s.size()) {
      if (s[i] != '.') return false;
      ++i;
    }
  }
  return octets > 0;
}

} // namespace

IpSubnetResult parse_ip_subnet(std::string_view text) {
  IpSubnetResult r;
  std::string_view ip = text;
  std::optional<std::string_view> mask;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    ip = text.substr(0, slash);
    mask = text.substr(slash + 1);
  }
  if (!looks_like_ip(ip)) {
    r.error = IpSubnetError::NotAnAddress;
    return r;
  }
  IpSubnet net;
  if (ip.find(':') != std::string_view::npos) {
    net.v6 = true;
    in6_addr a{};
    if (inet_pton(AF_INET6, std::string(ip).c_str(), &a) != 1) return r;
    std::copy(a.s6_addr, a.s6_addr + 16, net.addr.begin());
    net.mask.fill(0xff);
  } else if (!parse_v4_network(ip, net)) {
    return r;
  }
  if (mask) {
    const int max_bits = net.v6 ? 128 : 32;
    net.mask.fill(0);
    if (all_digits(*mask) && mask->size() <= 3) {
      int bits = std::stoi(std::string(*mask));
      if (bits < 1 || bits > max_bits) {
        r.error = IpSubnetError::BadMask;
        return r;
      }
      for (int b = 0; b < bits; ++b) net.mask[b / 8] |= static_cast<std::uint8_t>(0x80 >> (b % 8));
    } else {
      in_addr m{};
      if (net.v6 || inet_pton(AF_INET, std::string(*mask).c_str(), &m) != 1) {
        r.error = IpSubnetError::BadMask;
        return r;
      }
      const auto* p = reinterpret_cast<const std::uint8_t*>(&m.s_addr);
      std::copy(p, p + 4, net.mask.begin());
    }
  }
  for (std::size_t k = 0; k < 16; ++k) net.addr[k] &= net.mask[k];
  r.subnet = net;
  return r;
}

std::string_view ip_subnet_error_text(IpSubnetError e) {
  switch (e) {
  case IpSubnetError::NotAnAddress:
    return "";
  case IpSubnetError::BadAddress:
    return "The specified IP address is invalid.";
  case IpSubnetError::BadMask:
    return "The specified network mask is invalid.";
  }
  return "";
}

bool IpSubnet::contains(const std::uint8_t* ip, bool ip_is_v6) const {
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (!v6 && ip_is_v6) {
    if (!std::equal(kMapped, kMapped + 12, ip)) return false;
    ip += 12;
    ip_is_v6 = false;
  }
  if (v6 != ip_is_v6) return false;
  const std::size_t n = v6 ? 16 : 4;
  for (std::size_t k = 0; k < n; ++k)
    if ((ip[k] & mask[k]) != addr[k]) return false;
  return true;
}

} // namespace balancerd::directives
