#include "server/manager/request_identity.hpp"

#include "directives/ci_string.hpp"

namespace balancerd::manager {

namespace {

std::string_view strip_brackets(std::string_view h) {
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') return h.substr(1, h.size() - 2);
  return h;
}

// ServerName "[scheme://]host[:port]": the host.
std::string_view server_name_host(std::string_view name) {
  if (auto s = name.find("://"); s != std::string_view::npos) name.remove_prefix(s + 3);
  if (!name.empty() && name.front() == '[') {
    if (auto close = name.find(']'); close != std::string_view::npos) return name.substr(1, close - 1);
  }
  if (auto c = name.rfind(':'); c != std::string_view::npos) name = name.substr(0, c);
  return name;
}

bool is_scheme_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
         c == '.';
}

} // namespace

RequestIdentity identify(const IdentityInputs& in) {
  RequestIdentity id;
  const bool canonical = directives::ci_equal(in.use_canonical_name, "on");
  if (canonical && !in.server_name.empty()) {
    id.server_name = directives::ascii_lower(server_name_host(in.server_name));
    id.port = in.server_port.value_or(in.local_port);
    return id;
  }
  if (!in.host.empty()) {
    id.server_name = directives::ascii_lower(strip_brackets(in.host));
  } else if (!in.server_name.empty()) {
    id.server_name = directives::ascii_lower(server_name_host(in.server_name));
  } else {
    id.server_name = directives::ascii_lower(in.fallback_name);
  }
  id.port = 80;
  if (!in.host_port.empty()) {
    unsigned p = 0;
    for (char c : in.host_port) {
      if (c < '0' || c > '9') break;
      p = p * 10 + static_cast<unsigned>(c - '0');
    }
    id.port = p;
  }
  return id;
}

std::string construct_url(const RequestIdentity& id, std::string_view uri) {
  std::string url = "http://";
  const bool v6 = id.server_name.find(':') != std::string::npos;
  if (v6) url += '[';
  url += id.server_name;
  if (v6) url += ']';
  if (id.port != 80) {
    url += ':';
    url += std::to_string(id.port);
  }
  url += uri;
  return url;
}

std::optional<std::string> referer_hostname(std::string_view ref) {
  // scheme ":" then "//" authority; or "//" authority directly.
  std::size_t i = 0;
  while (i < ref.size() && is_scheme_char(ref[i])) ++i;
  std::size_t auth = std::string_view::npos;
  if (i > 0 && i < ref.size() && ref[i] == ':' && ref.substr(i + 1, 2) == "//") {
    auth = i + 3;
  } else if (ref.substr(0, 2) == "//") {
    auth = 2;
  }
  if (auth == std::string_view::npos) return std::nullopt;
  std::size_t end = ref.find_first_of("/?#", auth);
  std::string_view hostinfo =
      ref.substr(auth, end == std::string_view::npos ? std::string_view::npos : end - auth);
  if (auto at = hostinfo.rfind('@'); at != std::string_view::npos) hostinfo.remove_prefix(at + 1);
  std::string_view host = hostinfo;
  std::string_view port;
  if (!hostinfo.empty() && hostinfo.front() == '[') {
    const auto close = hostinfo.find(']');
    if (close == std::string_view::npos) return std::nullopt; // apr_uri_parse fails
    host = hostinfo.substr(1, close - 1);
    std::string_view rest = hostinfo.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (auto colon = hostinfo.rfind(':'); colon != std::string_view::npos) {
    host = hostinfo.substr(0, colon);
    port = hostinfo.substr(colon + 1);
  }
  for (char c : port)
    if (c < '0' || c > '9') return std::nullopt; // a bad port makes apr_uri_parse fail
  return std::string(host);
}

bool safe_referer(std::string_view referer, std::string_view server_name) {
  auto host = referer_hostname(referer);
  return host && directives::ci_equal(*host, server_name);
}

} // namespace balancerd::manager
