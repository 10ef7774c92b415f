#include "server/proxy/hop_by_hop.hpp"

#include "server/backend/response_field.hpp"
#include "server/http/request.hpp"

namespace balancerd::proxy {

using http::iequals;

bool is_request_hop_field(std::string_view n) noexcept {
  switch (n.size()) {
  case 2:
    return iequals(n, "TE");
  case 4:
    return iequals(n, "Host");
  case 7:
    return iequals(n, "Trailer") || iequals(n, "Upgrade");
  case 10:
    return iequals(n, "Keep-Alive") || iequals(n, "Connection");
  case 14:
    return iequals(n, "Content-Length");
  case 16:
    return iequals(n, "Proxy-Connection");
  case 17:
    return iequals(n, "Transfer-Encoding");
  default:
    return false;
  }
}

bool is_response_hop_field(std::string_view n, bool keep_upgrade) noexcept {
  return backend::is_response_hop(backend::classify_response_field(n), keep_upgrade);
}

} // namespace balancerd::proxy
