#pragma once
// The response head the client gets from a backend's: hop-by-hop fields removed (with those the
// backend's Connection header names), Date/Server left to the front end, framing re-done by the
// connection, Via appended per ProxyVia, and the ProxyPassReverse family applied to Location,
// Content-Location, URI and Set-Cookie.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "server/http/response.hpp"
#include "server/proxy/backend_request.hpp"

namespace balancerd::proxy {

// ProxyPassReverse* for one request. Each call returns the value to send: either `value` itself or a
// view of `scratch` it wrote.
class ReverseMapper {
public:
  virtual std::string_view map_url(std::string_view value, std::string& scratch) const = 0;
  virtual std::string_view map_cookie(std::string_view value, std::string& scratch) const = 0;

protected:
  ~ReverseMapper() = default;
};

struct ClientResponseParams {
  int status = 200;
  ViaMode via = ViaMode::Off;
  std::string_view via_value;
  const ReverseMapper* reverse = nullptr; // null: no ProxyPassReverse rules apply
};

struct ClientResponseInfo {
  std::optional<std::uint64_t> content_length; // the backend's (dropped when it also chunked)
  bool chunked = false;                        // Transfer-Encoding from the backend
  bool backend_close = false;                  // "Connection: close" from the backend
  std::string_view upgrade;                    // the backend's Upgrade value (for a 101)
  bool bad_content_length = false;             // unparsable or conflicting Content-Length
};

// Adds the fields to `head` (status/reason are the caller's). `scratch` holds rewritten values until
// head.add() copied them.
ClientResponseInfo build_client_response(http::ResponseHead& head, const ClientResponseParams& params,
                                         std::span<const Field> backend, std::string& scratch);

} // namespace balancerd::proxy
