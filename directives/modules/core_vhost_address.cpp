#include "directives/modules/core_vhost_address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

namespace balancerd::directives::core {

namespace {

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::optional<std::uint16_t> to_port(const std::string& digits) {
  if (digits.size() > 5) return std::nullopt;
  const long value = std::stol(digits);
  if (value < 1 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

} // namespace

std::optional<HostPort> parse_host_port(const std::string& text) {
  HostPort out;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) return std::nullopt;
    out.host = text.substr(1, close - 1);
    const std::string rest = text.substr(close + 1);
    if (rest.empty()) return out;
    if (rest.front() != ':') return std::nullopt;
    const std::string port = rest.substr(1);
    if (port == "*") {
      out.port_is_star = true;
      return out;
    }
    if (!all_digits(port)) return std::nullopt;
    auto p = to_port(port);
    if (!p) return std::nullopt;
    out.port = *p;
    return out;
  }
  if (all_digits(text)) {
    auto p = to_port(text);
    if (!p) return std::nullopt;
    out.port = *p;
    return out;
  }
  const auto colon = text.rfind(':');
  if (colon != std::string::npos && text.find(':') == colon) {
    const std::string port = text.substr(colon + 1);
    if (port == "*") {
      out.host = text.substr(0, colon);
      out.port_is_star = true;
      return out;
    }
    if (all_digits(port)) {
      auto p = to_port(port);
      if (!p) return std::nullopt;
      out.host = text.substr(0, colon);
      out.port = *p;
      return out;
    }
  }
  out.host = text;
  return out;
}

VhostAddressResult parse_vhost_address(const std::string& word, Diagnostics& diagnostics) {
  VhostAddress out;
  out.text = word;
  const auto hp = parse_host_port(word);
  if (!hp) {
    // A numeric port APR refuses (0 or above 65535).
    const auto colon = word.rfind(':');
    const std::string port = colon == std::string::npos ? word : word.substr(colon + 1);
    if (!port.empty() && port.find_first_not_of("0123456789") == std::string::npos)
      return {std::nullopt, std::string("The address or port is invalid")};
  }
  std::string host = hp ? hp->host : word;
  if (hp && hp->port != 0) out.port = hp->port;
  if (host == "*" || host == "_default_") {
    out.host = "*";
    return {out, std::nullopt};
  }
  if (!is_ip_literal(host)) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
    if (rc != 0) {
      diagnostics.log("core", "error",
                      "(EAI " + std::to_string(rc < 0 ? -rc : rc) + ")" + ::gai_strerror(rc) +
                          ": AH00547: Could not resolve host name " + host + " -- ignoring!");
      return {};
    }
    ::freeaddrinfo(res);
  }
  out.host = host;
  return {out, std::nullopt};
}

} // namespace balancerd::directives::core
