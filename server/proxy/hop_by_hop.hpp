#pragma once
// Hop-by-hop header handling shared by the request and response sides: the names a proxy never
// forwards, and the tokens of a Connection header (each one names another field to drop).
#include <string_view>

namespace balancerd::proxy {

// Calls fn(token) for each token of a Connection header value (comma and blank separated, as
// Apache splits it). Returns true if one of them is "close".
template <class Fn> bool for_each_connection_token(std::string_view value, Fn&& fn) {
  bool close = false;
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (value[i] == ',' || value[i] == ' ' || value[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < value.size() && value[i] != ',' && value[i] != ' ' && value[i] != '\t') ++i;
    if (i > start) {
      std::string_view token = value.substr(start, i - start);
      if (token.size() == 5 && (token[0] | 0x20) == 'c' && (token[1] | 0x20) == 'l' &&
          (token[2] | 0x20) == 'o' && (token[3] | 0x20) == 's' && (token[4] | 0x20) == 'e')
        close = true;
      fn(token);
    }
  }
  return close;
}

// Request fields mod_proxy_http never copies to the backend (it writes its own Host, framing and
// Connection): Host, Keep-Alive, TE, Trailer, Upgrade, Connection, Proxy-Connection,
// Transfer-Encoding, Content-Length.
bool is_request_hop_field(std::string_view name) noexcept;

// Response fields dropped before the response goes to the client: Connection, Proxy-Connection,
// Keep-Alive, Proxy-Authenticate, TE, Trailer, Upgrade (kept for a 101), Transfer-Encoding,
// Content-Length (re-framed), and Date/Server (the front end writes its own).
bool is_response_hop_field(std::string_view name, bool keep_upgrade) noexcept;

} // namespace balancerd::proxy
