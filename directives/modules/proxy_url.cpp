#include "directives/modules/proxy_url.hpp"

#include "directives/ci_string.hpp"

#include <cstdlib>

namespace balancerd::directives::proxy {

namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_scheme_char(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}
bool ends_path(char c) {
  return c == '?' || c == '#';
}
bool ends_hostinfo(char c) {
  return c == '/' || c == '?' || c == '#';
}

// The path/query/fragment tail, APR's "deal_with_path".
void parse_path(std::string_view s, ParsedUri& out) {
  std::size_t i = 0;
  while (i < s.size() && !ends_path(s[i])) ++i;
  if (i != 0) out.path = std::string(s.substr(0, i));
  if (i == s.size()) return;
  if (s[i] == '?') {
    std::string_view rest = s.substr(i + 1);
    const auto hash = rest.find('#');
    if (hash != std::string_view::npos) {
      out.fragment = std::string(rest.substr(hash + 1));
      out.query = std::string(rest.substr(0, hash));
    } else {
      out.query = std::string(rest);
    }
    return;
  }
  out.fragment = std::string(s.substr(i + 1));
}

// Host and port of a hostinfo (after any user@), APR's "deal_with_host". False on error.
bool parse_host(std::string_view host, ParsedUri& out) {
  std::string_view port;
  bool has_port = false;
  if (!host.empty() && host[0] == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    out.hostname = std::string(host.substr(1, close - 1));
    if (close + 1 < host.size() && host[close + 1] == ':') {
      has_port = true;
      port = host.substr(close + 2);
    }
  } else {
    const auto colon = host.find(':');
    if (colon == std::string_view::npos) {
      out.hostname = std::string(host);
    } else {
      out.hostname = std::string(host.substr(0, colon));
      has_port = true;
      port = host.substr(colon + 1);
    }
  }
  if (!has_port) return true;
  out.port_str = std::string(port);
  if (!port.empty()) {
    const std::string z(port);
    char* end = nullptr;
    const long value = std::strtol(z.c_str(), &end, 10);
    out.port = static_cast<std::uint16_t>(value);
    return *end == '\0';
  }
  out.port = apr_port_of_scheme(out.scheme.value_or(""));
  return true;
}

} // namespace

std::optional<ParsedUri> parse_uri(std::string_view uri) {
  ParsedUri out;
  std::string_view s = uri;
  auto authority = [&](std::string_view a) -> std::optional<ParsedUri> {
    std::size_t i = 0;
    while (i < a.size() && !ends_hostinfo(a[i])) ++i;
    std::string_view hostinfo = a.substr(0, i);
    out.hostinfo = std::string(hostinfo);
    const auto at = hostinfo.rfind('@');
    if (at != std::string_view::npos) {
      std::string_view userinfo = hostinfo.substr(0, at);
      const auto colon = userinfo.find(':');
      if (colon != std::string_view::npos) {
        out.user = std::string(userinfo.substr(0, colon));
        out.password = std::string(userinfo.substr(colon + 1));
      } else {
        out.user = std::string(userinfo);
      }
      hostinfo = hostinfo.substr(at + 1);
    }
    if (!parse_host(hostinfo, out)) return std::nullopt;
    parse_path(a.substr(i), out);
    return std::move(out); // `out` is the enclosing function's: move, do not copy its strings
  };

  if (!s.empty() && s[0] == '/') {
    if (s.size() > 1 && s[1] == '/' && (s.size() < 3 || s[2] != '/')) return authority(s.substr(2));
    parse_path(s, out);
    return out;
  }
  std::size_t i = 0;
  if (!s.empty() && is_alpha(s[0])) {
    ++i;
    while (i < s.size() && is_scheme_char(s[i])) ++i;
  }
  std::size_t rest = 0;
  if (i != 0 && i < s.size() && s[i] == ':') {
    out.scheme = std::string(s.substr(0, i));
    rest = i + 1;
  }
  std::string_view after = s.substr(rest);
  if (after.size() < 2 || after[0] != '/' || after[1] != '/') {
    if (rest == 0) {
      // No scheme and no authority: the first segment of a relative path must not hold ':'.
      const auto slash = s.find('/');
      const auto colon = s.find(':');
      if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash))
        return std::nullopt;
    }
    parse_path(after, out);
    return out;
  }
  return authority(after.substr(2));
}

std::uint16_t apr_port_of_scheme(std::string_view scheme) {
  struct Entry {
    std::string_view name;
    std::uint16_t port;
  };
  static constexpr Entry table[] = {
      {"http", 80},  {"ftp", 21},    {"https", 443},   {"gopher", 70},   {"ldap", 389},
      {"nntp", 119}, {"snews", 563}, {"imap", 143},    {"pop", 110},     {"sip", 5060},
      {"rtsp", 554}, {"wais", 210},  {"z39.50r", 210}, {"z39.50s", 210}, {"prospero", 1525},
      {"nfs", 2049}, {"tip", 3372},  {"acap", 674},    {"telnet", 23},   {"ssh", 22},
  };
  for (const Entry& e : table)
    if (ci_equal(e.name, scheme)) return e.port;
  return 0;
}

std::uint16_t proxy_port_of_scheme(std::string_view scheme) {
  struct Entry {
    std::string_view name;
    std::uint16_t port;
  };
  static constexpr Entry table[] = {
      {"fcgi", 8000}, {"ajp", 8009}, {"scgi", 4000}, {"h2c", 80}, {"h2", 443}, {"ws", 80}, {"wss", 443},
  };
  for (const Entry& e : table)
    if (ci_equal(e.name, scheme)) return e.port;
  return apr_port_of_scheme(scheme);
}

std::optional<std::string> de_socketfy(std::string_view url) {
  if (!ci_starts_with(url, "unix:")) return std::string(url);
  const auto bar = url.find('|', 5);
  if (bar == std::string_view::npos) return std::string(url);
  std::string_view ret = url.substr(bar + 1);
  const auto colon = ret.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view after = ret.substr(colon + 1);
  if (after.empty()) return std::string(ret) + "//localhost";
  if (after == "//") return std::string(ret) + "localhost";
  return std::string(ret);
}

bool fnmatch_test(std::string_view pattern) {
  int nesting = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    switch (pattern[i]) {
    case '?':
    case '*':
      return true;
    case '\\':
      if (++i >= pattern.size()) return false;
      break;
    case '[':
      ++nesting;
      break;
    case ']':
      if (nesting) return true;
      break;
    default:
      break;
    }
  }
  return false;
}

bool is_balancer_url(std::string_view url) {
  return ci_starts_with(url, "balancer:");
}

std::optional<std::string> balancer_key(std::string_view url) {
  const auto colon = url.find(':');
  // Apache wants "x://" followed by at least one character.
  if (colon == std::string_view::npos || colon + 3 >= url.size() || url[colon + 1] != '/' ||
      url[colon + 2] != '/')
    return std::nullopt;
  std::string_view key = url;
  const auto slash = url.find('/', colon + 3);
  if (slash != std::string_view::npos) key = url.substr(0, slash);
  return ascii_lower(key);
}

std::string lower_site_part(std::string_view url) {
  std::string out(url);
  const auto colon = url.find(':');
  std::size_t end = url.size();
  if (colon != std::string_view::npos) {
    const auto slash = url.find('/', colon + 3 <= url.size() ? colon + 3 : url.size());
    if (slash != std::string_view::npos) end = slash;
  }
  for (std::size_t i = 0; i < end; ++i) out[i] = ascii_lower(out[i]);
  return out;
}

} // namespace balancerd::directives::proxy
