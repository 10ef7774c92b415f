#include "server/proxy/client_response.hpp"

#include <array>

#include "server/backend/response_field.hpp"
#include "server/http/request.hpp"
#include "server/proxy/connection_tokens.hpp"
#include "server/proxy/hop_by_hop.hpp"

namespace balancerd::proxy {

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

} // namespace

ClientResponseInfo build_client_response(http::ResponseHead& head, const ClientResponseParams& p,
                                         std::span<const Field> in, std::string& scratch) {
  using backend::ResponseField;
  ClientResponseInfo info;
  const bool is_101 = p.status == 101;
  // First pass: every name recognised once (kept for the second pass), the framing fields read, the
  // Connection tokens gathered and the room the kept fields take added up.
  constexpr std::size_t kKinds = 32;
  std::array<ResponseField, kKinds> kinds;
  ConnectionTokens connection;
  // Whether a token names a field that is not dropped anyway ("Connection: keep-alive" names none):
  // without one, the kept fields need not be compared with the tokens.
  bool names_kept = false;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto& f = in[i];
    const ResponseField kind = backend::classify_response_field(f.name);
    if (i < kKinds) kinds[i] = kind;
    switch (kind) {
    case ResponseField::Connection:
      if (connection.add(in, f.value, [&](std::string_view t) {
            names_kept = names_kept || !backend::is_response_hop(backend::classify_response_field(t), is_101);
          }))
        info.backend_close = true;
      break;
    case ResponseField::TransferEncoding:
      info.chunked = true;
      break;
    case ResponseField::ContentLength: {
      std::uint64_t n = 0;
      if (!parse_length(f.value, n) || (info.content_length && *info.content_length != n))
        info.bad_content_length = true;
      else
        info.content_length = n;
      break;
    }
    case ResponseField::Upgrade:
      info.upgrade = f.value;
      break;
    default:
      break;
    }
    if (!backend::is_response_hop(kind, is_101)) bytes += f.name.size() + f.value.size() + 4;
  }
  if (info.chunked) info.content_length.reset();

  const bool via = p.via == ViaMode::On || p.via == ViaMode::Full;
  http::FieldAppender out(head, bytes + (via ? p.via_value.size() + 7 : 0));
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto& f = in[i];
    const ResponseField kind = i < kKinds ? kinds[i] : backend::classify_response_field(f.name);
    if (backend::is_response_hop(kind, is_101)) continue;
    if (names_kept && connection.names(f.name)) continue;
    std::string_view value = f.value;
    if (p.reverse) {
      if (backend::is_reverse_url_field(kind)) {
        scratch.clear();
        value = p.reverse->map_url(value, scratch);
      } else if (backend::is_reverse_cookie_field(kind)) {
        scratch.clear();
        value = p.reverse->map_cookie(value, scratch);
      }
    }
    out.add(f.name, value);
  }
  if (via) out.add("Via", p.via_value);
  return info;
}

} // namespace balancerd::proxy
