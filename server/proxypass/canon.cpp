#include "server/proxypass/canon.hpp"

#include "directives/ci_string.hpp"
#include "directives/modules/proxy_url.hpp"

#include <charconv>
#include <string>

namespace balancerd::proxypass {

namespace {

bool is_xdigit(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Characters a canonical http path keeps as they are: letters, digits, '/' and "~$-_.+!*'(),;:@&=".
// A table, because every byte of every proxied path is looked up.
struct PathTable {
  bool keep[256] = {};
  constexpr PathTable() {
    for (int c = '0'; c <= '9'; ++c) keep[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) keep[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) keep[c] = true;
    for (char c : std::string_view("/~$-_.+!*'(),;:@&=")) keep[static_cast<unsigned char>(c)] = true;
  }
};
constexpr PathTable kPath;

void append_hex(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const char enc[3] = {'%', kHex[c >> 4], kHex[c & 0x0F]};
  out.append(enc, 3);
}
// A raw path or query sent as it is must still be a valid request-line token (AH10415).
bool has_ctl_or_space(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7F) return true;
  return false;
}
void append_lower(std::string& out, std::string_view s) {
  const std::size_t at = out.size();
  out.append(s);
  for (std::size_t i = at; i < out.size(); ++i) out[i] = directives::ascii_lower(out[i]);
}

// The parts of "//[user[:pass]@]host[:port]" as views into the URL (nothing is copied: the
// canonical URL is written once, by canonicalise).
struct NetLoc {
  std::string_view host; // as written, without brackets (lower-cased when appended)
  unsigned port = 0;     // 0: none, or ":0"
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
  bool numeric = false;
  if (!hostport.empty() && hostport[0] == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = hostport.substr(1, close - 1);
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::nullopt;
      port = after.substr(1);
    }
    numeric = port.size() <= 5;
    for (char c : port) numeric = numeric && c >= '0' && c <= '9';
  } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    const std::string_view digits = hostport.substr(colon + 1);
    numeric = !digits.empty() && digits.size() <= 5;
    for (char c : digits) numeric = numeric && c >= '0' && c <= '9';
    // apache2 keeps a host whose port is not a number whole (it then fails to resolve it).
    if (numeric || digits.empty()) {
      host = hostport.substr(0, colon);
      port = digits;
    }
  }
  if (host.empty()) return std::nullopt;
  if (!port.empty()) {
    unsigned long value = 0;
    if (numeric) {
      for (char c : port) value = value * 10 + static_cast<unsigned long>(c - '0');
    } else {
      value = std::stoul(std::string(port)); // a bracketed host's odd port: stoul decides, as before
    }
    if (value > 65535) return std::nullopt;
    out.port = static_cast<unsigned>(value);
  }
  out.host = host;
  return out;
}

enum class Style { Http, Balancer, NoQuery, Other };

// ap_proxy_canonenc_ex's path rules, appended to `out`; false for a malformed escape.
bool append_encoded_path(std::string& out, std::string_view path, bool keep_encoded_slashes) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    const unsigned char ch = static_cast<unsigned char>(path[i]);
    if (keep_encoded_slashes && ch == '%') {
      // AllowEncodedSlashes NoDecode left "%2F" in the path: it stays; any other '%' is encoded.
      if (i + 2 >= path.size()) return false;
      if (!is_xdigit(static_cast<unsigned char>(path[i + 1])) ||
          !is_xdigit(static_cast<unsigned char>(path[i + 2])))
        return false;
      const int decoded = hex_value(static_cast<unsigned char>(path[i + 1])) * 16 +
                          hex_value(static_cast<unsigned char>(path[i + 2]));
      if (decoded == '/') {
        out.append(path.substr(i, 3));
        i += 2;
        continue;
      }
    }
    if (kPath.keep[ch]) {
      // The run of bytes that stay as they are goes in one append.
      std::size_t j = i + 1;
      while (j < path.size() && kPath.keep[static_cast<unsigned char>(path[j])]) ++j;
      out.append(path.substr(i, j - i));
      i = j - 1;
    } else {
      append_hex(out, ch);
    }
  }
  return true;
}

} // namespace

std::optional<std::string> canon_encode_path(std::string_view path, bool keep_encoded_slashes) {
  std::string out;
  out.reserve(path.size() + path.size() / 2);
  if (!append_encoded_path(out, path, keep_encoded_slashes)) return std::nullopt;
  return out;
}

CanonResult canonicalise(std::string_view url, PathMode mode, const std::optional<std::string_view>& query,
                         bool keep_encoded_slashes) {
  CanonResult result;
  result.status = canonicalise_into(result.url, url, mode, query, keep_encoded_slashes);
  return result;
}

int canonicalise_into(std::string& out, std::string_view url, PathMode mode,
                      const std::optional<std::string_view>& query, bool keep_encoded_slashes) {
  out.clear();
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return 400;
  // The scheme, lower-cased; a long one is no scheme this function knows (Style::Other).
  char scheme_buf[8];
  std::string_view scheme;
  if (colon <= sizeof scheme_buf) {
    for (std::size_t i = 0; i < colon; ++i) scheme_buf[i] = directives::ascii_lower(url[i]);
    scheme = std::string_view(scheme_buf, colon);
  }
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
    out.reserve(url.size() + (append_query ? 1 + query->size() : 0));
    out.append(url);
    if (append_query) {
      out += '?';
      out.append(*query);
    }
    return 0;
  }
  auto fail = [&out] {
    out.clear();
    return 400;
  };

  std::string_view rest = url.substr(colon + 1);
  const auto netloc = parse_netloc(rest);
  if (!netloc) return fail();
  if (mode != PathMode::Encode && mode != PathMode::Forward && has_ctl_or_space(rest)) return fail();
  if (append_query && has_ctl_or_space(*query)) return fail();

  // One allocation for the usual URL: what a path needs re-encoded past half its length grows it.
  const bool v6 = netloc->host.find(':') != std::string_view::npos;
  out.reserve(scheme.size() + 3 + netloc->host.size() + 2 + 6 + 1 + rest.size() + rest.size() / 2 +
              (append_query ? 1 + query->size() : 0));
  out.append(scheme);
  out.append("://");
  if (v6) out += '[';
  append_lower(out, netloc->host);
  if (v6) out += ']';
  if (style != Style::Balancer && netloc->port &&
      netloc->port != directives::proxy::proxy_port_of_scheme(scheme)) {
    char digits[8];
    const auto end = std::to_chars(digits, digits + sizeof digits, netloc->port).ptr;
    out += ':';
    out.append(digits, end);
  }
  out += '/';
  if (mode == PathMode::Encode) {
    if (!append_encoded_path(out, rest, keep_encoded_slashes)) return fail();
  } else {
    out.append(rest);
  }
  if (append_query && style != Style::NoQuery) {
    out += '?';
    out.append(*query);
  }
  return 0;
}

} // namespace balancerd::proxypass
