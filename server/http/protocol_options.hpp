#pragma once
// Per-server request-reading limits and strictness, as Apache's core sets them. Filled from the config
// model (LimitRequestLine, LimitRequestFieldSize, LimitRequestFields, HttpProtocolOptions); the defaults
// are Apache's.
#include <cstddef>
#include <cstdint>

namespace balancerd::http {

struct ProtocolOptions {
  std::size_t limit_request_line = 8190;       // LimitRequestLine
  std::size_t limit_request_field_size = 8190; // LimitRequestFieldSize
  std::size_t limit_request_fields = 100;      // LimitRequestFields (0 = unlimited)
  bool strict = true;                          // HttpProtocolOptions Strict (false = Unsafe)
  bool registered_methods = false;             // RegisteredMethods (false = LenientMethods)
  bool allow_http09 = true;                    // Allow0.9 (false = Require1.0)
};

// LimitRequestBody's default since 2.4.54 (1 GiB); 0 means unlimited.
inline constexpr std::uint64_t kDefaultLimitRequestBody = 1073741824;

} // namespace balancerd::http
