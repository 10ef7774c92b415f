#include "server/proxypass/canon.hpp"

#include "directives/ci_string.hpp"
#include "directives/modules/proxy_url.hpp"

#include <string>

namespace balancerd::proxypass {

namespace {

bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_xdigit(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}
// Characters a canonical http path keeps as they are (besides letters, digits and '/').
bool path_allowed(unsigned char c) {
  return std::string_view("~$-_.+!*'(),;:@&=").find(static_cast<char>(c)) != std::string_view::npos;
}
void append_hex(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0x0F];
}
// A raw path or query sent as it is must still be a valid request-line token (AH10415).
bool has_ctl_or_space(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7F) return true;
  return false;
}

struct NetLoc {
  std::string host; // lower-case, without brackets
  std::optional<unsigned> port;
};

// ap_proxy_canon_netloc: "//[user[:pass]@]host[:port]" up to the first '/'. `rest` is left at the
// path after that '/'.
std::optional<NetLoc> parse_netloc(std::string_view& rest) {
  if (rest.size() < 2 || rest[0] != '/' || rest[1] != '/') return std::nullopt;
  rest.remove_prefix(2);
  const auto slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (const auto at = hostport.rfind('@'); at != std::string_view::npos) hostport.remove_prefix(at + 1);
  NetLoc out;
  std::string_view host = hostport;
  std::string_view port;
  if (!hostport.empty() && hostport[0] == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = hostport.substr(1, close - 1);
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    const std::string_view digits = hostport.substr(colon + 1);
    bool numeric = !digits.empty() && digits.size() <= 5;
    for (char c : digits) numeric = numeric && c >= '0' && c <= '9';
    // apache2 keeps a host whose port is not a number whole (it then fails to resolve it).
    if (numeric || digits.empty()) {
      host = hostport.substr(0, colon);
      port = digits;
    }
  }
  if (host.empty()) return std::nullopt;
  if (!port.empty()) {
    const unsigned long value = std::stoul(std::string(port));
    if (value > 65535) return std::nullopt;
    if (value != 0) out.port = static_cast<unsigned>(value);
  }
  out.host = directives::ascii_lower(host);
  return out;
}

enum class Style { Http, Balancer, NoQuery, Other };

} // namespace

std::optional<std::string> canon_encode_path(std::string_view path, bool keep_encoded_slashes) {
  std::string out;
  out.reserve(path.size() + path.size() / 2);
  for (std::size_t i = 0; i < path.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(path[i]);
    if (ch == '/') {
      out += '/';
      continue;
    }
    if (keep_encoded_slashes && ch == '%') {
      // AllowEncodedSlashes NoDecode left "%2F" in the path: it stays; any other '%' is encoded.
      if (i + 2 >= path.size()) return std::nullopt;
      if (!is_xdigit(static_cast<unsigned char>(path[i + 1])) ||
          !is_xdigit(static_cast<unsigned char>(path[i + 2])))
        return std::nullopt;
      const int decoded = hex_value(static_cast<unsigned char>(path[i + 1])) * 16 +
                          hex_value(static_cast<unsigned char>(path[i + 2]));
      if (decoded == '/') {
        out.append(path.substr(i, 3));
        i += 2;
        continue;
      }
    }
    if (!is_alnum(ch) && !path_allowed(ch))
      append_hex(out, ch);
    else
      out += static_cast<char>(ch);
  }
  return out;
}

CanonResult canonicalise(std::string_view url, PathMode mode, const std::optional<std::string_view>& query,
                         bool keep_encoded_slashes) {
  CanonResult result;
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    result.status = 400;
    return result;
  }
  const std::string scheme = directives::ascii_lower(url.substr(0, colon));
  Style style = Style::Other;
  if (scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss" || scheme == "ajp" ||
      scheme == "h2" || scheme == "h2c")
    style = Style::Http;
  else if (scheme == "balancer")
    style = Style::Balancer;
  else if (scheme == "fcgi" || scheme == "scgi" || scheme == "uwsgi")
    style = Style::NoQuery;

  const bool append_query = mode != PathMode::NoCanon && mode != PathMode::Forward && query.has_value();
  if (style == Style::Other) {
    result.url = std::string(url);
    if (append_query) result.url += "?" + std::string(*query);
    return result;
  }

  std::string_view rest = url.substr(colon + 1);
  const auto netloc = parse_netloc(rest);
  if (!netloc) {
    result.status = 400;
    return result;
  }
  std::string path;
  if (mode == PathMode::Encode) {
    auto encoded = canon_encode_path(rest, keep_encoded_slashes);
    if (!encoded) {
      result.status = 400;
      return result;
    }
    path = std::move(*encoded);
  } else {
    if (mode != PathMode::Forward && has_ctl_or_space(rest)) {
      result.status = 400;
      return result;
    }
    path = std::string(rest);
  }
  if (append_query && has_ctl_or_space(*query)) {
    result.status = 400;
    return result;
  }

  std::string& out = result.url;
  out = scheme;
  out += "://";
  if (netloc->host.find(':') != std::string::npos)
    out += "[" + netloc->host + "]";
  else
    out += netloc->host;
  if (style != Style::Balancer && netloc->port &&
      *netloc->port != directives::proxy::proxy_port_of_scheme(scheme))
    out += ":" + std::to_string(*netloc->port);
  out += '/';
  out += path;
  if (append_query && style != Style::NoQuery) {
    out += '?';
    out += *query;
  }
  return result;
}

} // namespace balancerd::proxypass
