#include "server/proxy/client_response.hpp"

#include "server/http/request.hpp"
#include "server/proxy/connection_tokens.hpp"
#include "server/proxy/hop_by_hop.hpp"

namespace balancerd::proxy {

using http::iequals;

namespace {

bool parse_length(std::string_view v, std::uint64_t& out) {
  if (v.empty() || v.size() > 19) return false;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = n;
  return true;
}

// A field name compare that skips the call for names of another length (most of them).
bool is_name(std::string_view name, std::string_view wanted) noexcept {
  return name.size() == wanted.size() && iequals(name, wanted);
}

} // namespace

ClientResponseInfo build_client_response(http::ResponseHead& head, const ClientResponseParams& p,
                                         std::span<const Field> backend, std::string& scratch) {
  ClientResponseInfo info;
  const bool is_101 = p.status == 101;
  for (const auto& f : backend) {
    if (is_name(f.name, "Connection")) {
      if (for_each_connection_token(f.value, [](std::string_view) {})) info.backend_close = true;
    } else if (is_name(f.name, "Transfer-Encoding")) {
      info.chunked = true;
    } else if (is_name(f.name, "Content-Length")) {
      std::uint64_t n = 0;
      if (!parse_length(f.value, n) || (info.content_length && *info.content_length != n))
        info.bad_content_length = true;
      else
        info.content_length = n;
    } else if (is_name(f.name, "Upgrade")) {
      info.upgrade = f.value;
    }
  }
  if (info.chunked) info.content_length.reset();

  const ConnectionTokens connection(backend);
  for (const auto& f : backend) {
    if (is_response_hop_field(f.name, is_101)) continue;
    if (connection.names(f.name)) continue;
    std::string_view value = f.value;
    if (p.reverse) {
      if (iequals(f.name, "Location") || iequals(f.name, "Content-Location") || iequals(f.name, "URI")) {
        scratch.clear();
        value = p.reverse->map_url(value, scratch);
      } else if (iequals(f.name, "Set-Cookie") || iequals(f.name, "Set-Cookie2")) {
        scratch.clear();
        value = p.reverse->map_cookie(value, scratch);
      }
    }
    head.add(f.name, value);
  }
  if (p.via == ViaMode::On || p.via == ViaMode::Full) head.add("Via", p.via_value);
  return info;
}

} // namespace balancerd::proxy
