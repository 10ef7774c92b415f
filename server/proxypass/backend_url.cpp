#include "server/proxypass/backend_url.hpp"

#include <charconv>
#include <cstring>

#include "directives/ci_string.hpp"
#include "directives/modules/proxy_url.hpp"

namespace balancerd::proxypass {

namespace dp = directives::proxy;

std::uint16_t default_port(std::string_view scheme) {
  return dp::proxy_port_of_scheme(scheme);
}

std::string BackendUrl::host_header() const {
  std::string out;
  const bool v6 = host.find(':') != std::string::npos;
  char digits[8];
  char* digits_end = digits;
  if (port_given && port != 80) digits_end = std::to_chars(digits, digits + sizeof digits, port).ptr;
  // The exact size: "127.0.0.1:28561" fits the string's inline buffer, and a guessed larger
  // reserve() would have put every such Host value on the heap.
  const std::size_t size = host.size() + (v6 ? 2 : 0) +
                           (digits_end > digits ? 1 + static_cast<std::size_t>(digits_end - digits) : 0);
  out.reserve(size);
  if (v6) out.push_back('[');
  out.append(host);
  if (v6) out.push_back(']');
  if (digits_end > digits) {
    out.push_back(':');
    out.append(digits, digits_end);
  }
  return out;
}

std::string_view BackendUrl::host_header(std::span<char, 256> buf, std::string& spill) const {
  if (host.size() > buf.size() - 16) return spill = host_header();
  char* p = buf.data();
  const bool v6 = host.find(':') != std::string::npos;
  if (v6) *p++ = '[';
  std::memcpy(p, host.data(), host.size());
  p += host.size();
  if (v6) *p++ = ']';
  if (port_given && port != 80) {
    *p++ = ':';
    p = std::to_chars(p, buf.data() + buf.size(), port).ptr;
  }
  return std::string_view(buf.data(), static_cast<std::size_t>(p - buf.data()));
}

std::string balancer_member_url(std::string_view member_name, std::string_view balancer_url) {
  std::string out(member_name);
  const auto sep = balancer_url.find("://");
  if (sep == std::string_view::npos) return out;
  const auto path = balancer_url.find('/', sep + 3);
  if (path != std::string_view::npos) out.append(balancer_url.substr(path));
  return out;
}

std::string backend_request_uri(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::string(url);
  const auto path = url.find_first_of("/?", sep + 3);
  if (path == std::string_view::npos) return "/";
  if (url[path] == '?') return "/" + std::string(url.substr(path));
  return std::string(url.substr(path));
}

namespace {

bool is_scheme_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
         c == '.';
}

enum class AuthorityByte : unsigned char { Plain, End, Reject, Colon };

// What a byte means in parse_plain's authority: '/', '?', '#' end it; user info and IPv6 brackets
// are left to the general parser; the first ':' starts the port.
struct AuthorityTable {
  AuthorityByte kind[256]{};
  constexpr AuthorityTable() {
    for (unsigned char c : {'/', '?', '#'}) kind[c] = AuthorityByte::End;
    for (unsigned char c : {'@', '[', ']'}) kind[c] = AuthorityByte::Reject;
    kind[static_cast<unsigned char>(':')] = AuthorityByte::Colon;
  }
};
constexpr AuthorityTable kAuthority;

// The common shape, "scheme://host[:port][/path][?query]" with a plain host and a valid port, taken
// apart in place: the general parser below builds APR's whole URI record (nine optional strings)
// for every proxied request. Anything else (user info, IPv6 literals, an empty host or port, a bad
// port, a fragment, "unix:") is left to the general parser, which decides what it means.
bool parse_plain(std::string_view url, BackendUrl& out) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0 || url.find('#') != std::string_view::npos) return false;
  const char first = url[0];
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) return false;
  for (std::size_t i = 1; i < sep; ++i)
    if (!is_scheme_char(url[i])) return false;
  const std::size_t start = sep + 3;
  std::size_t end = start;
  std::size_t colon = std::string_view::npos;
  // The authority's bytes are classified by one table lookup each (five comparisons per byte were
  // half of this function's instructions).
  for (; end < url.size(); ++end) {
    const AuthorityByte k = kAuthority.kind[static_cast<unsigned char>(url[end])];
    if (k == AuthorityByte::Plain) continue;
    if (k == AuthorityByte::End) break;
    if (k == AuthorityByte::Reject) return false;
    if (colon == std::string_view::npos) colon = end; // AuthorityByte::Colon
  }
  const std::string_view host = url.substr(start, (colon == std::string_view::npos ? end : colon) - start);
  if (host.empty()) return false;
  std::uint32_t port = 0;
  if (colon != std::string_view::npos) {
    const std::string_view digits = url.substr(colon + 1, end - colon - 1);
    if (digits.empty() || digits.size() > 5) return false;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      port = port * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (port > 65535) return false;
  }
  out.scheme.assign(url.substr(0, sep));
  for (char& c : out.scheme) c = directives::ascii_lower(c);
  out.host.assign(host);
  out.port_given = colon != std::string_view::npos;
  out.port = out.port_given ? static_cast<std::uint16_t>(port) : default_port(out.scheme);
  // The request-URI: the path and query, "/" when the URL ends after the authority.
  const std::string_view rest = url.substr(end);
  if (rest.empty() || rest.front() == '?') {
    out.request_uri.assign(1, '/');
    out.request_uri.append(rest);
  } else {
    out.request_uri.assign(rest);
  }
  return true;
}

} // namespace

std::optional<BackendUrl> parse_backend_url(std::string_view url) {
  BackendUrl out;
  if (!parse_backend_url(url, out)) return std::nullopt;
  return out;
}

bool parse_backend_url(std::string_view url, BackendUrl& out) {
  if (parse_plain(url, out)) {
    out.uds_path.clear();
    return true;
  }
  out.uds_path.clear();
  if (directives::ci_starts_with(url, "unix:")) {
    const auto bar = url.find('|');
    if (bar == std::string_view::npos) return false;
    const auto sock = dp::parse_uri(url.substr(0, bar));
    if (!sock || !sock->path) return false;
    out.uds_path = *sock->path;
    url.remove_prefix(bar + 1);
  }
  const auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  const auto uri = dp::parse_uri(url);
  if (!uri || !uri->scheme) return false;
  if (uri->port_str && !uri->port_str->empty()) {
    for (char c : *uri->port_str)
      if (c < '0' || c > '9') return false;
    if (uri->port_str->size() > 5 || std::stoul(*uri->port_str) > 65535) return false;
  }
  out.scheme = directives::ascii_lower(*uri->scheme);
  out.host = uri->hostname.value_or("");
  if (out.host.empty() && !out.uds_path.empty()) out.host = "localhost";
  out.port_given = uri->port_str && !uri->port_str->empty();
  out.port = out.port_given ? uri->port : default_port(out.scheme);
  out.request_uri = backend_request_uri(url);
  // A fragment is never sent.
  if (const auto hash = out.request_uri.find('#'); hash != std::string::npos) out.request_uri.resize(hash);
  return true;
}

} // namespace balancerd::proxypass
