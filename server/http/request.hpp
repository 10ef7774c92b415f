#pragma once
// One parsed request head. Every view points into the connection's read buffer (the parser never
// copies), so a Request is valid only while that buffer holds the head. The header vector keeps its
// capacity across requests, so a keep-alive connection parses without allocating.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "server/http/method.hpp"

namespace balancerd::http {

struct Header {
  std::string_view name;  // as sent (case preserved)
  std::string_view value; // leading/trailing blanks removed, obs-fold joined with one space
};

enum class BodyKind : std::uint8_t { None, Length, Chunked };

struct Request {
  std::string_view method_text; // as sent
  Method method = Method::Other;
  std::string_view target;   // request-target as sent
  std::string_view path;     // target up to '?' (for an absolute URI: the path part only)
  std::string_view query;    // after '?', without it
  std::string_view protocol; // "HTTP/1.1" as sent; empty for HTTP/0.9
  int version_major = 1;
  int version_minor = 1;
  std::vector<Header> headers;

  std::string_view host; // from the absolute URI or the Host header, port and trailing dot removed
  std::string_view port; // port text from the same place, empty if none
  bool absolute_uri = false;

  BodyKind body = BodyKind::None;
  std::uint64_t content_length = 0; // when body == Length

  bool keep_alive = false;      // the client allows another request on this connection
  bool keep_alive_sent = false; // "Connection: keep-alive" was sent (Apache then answers Keep-Alive:)
  bool expect_continue = false; // HTTP/1.1 "Expect: 100-continue"
  // "Expect: 100-continue" at any version: unless 100 Continue was sent (never to HTTP/1.0), Apache
  // closes the connection after the response, whether or not a body was announced.
  bool expect_100 = false;
  bool must_close = false; // Content-Length with Transfer-Encoding: answer, then close (smuggling guard)

  bool http09() const noexcept { return protocol.empty(); }
  // HTTP version as major*1000+minor, Apache's HTTP_VERSION().
  int version() const noexcept { return version_major * 1000 + version_minor; }
  // First header with this name, compared case-insensitively; nullptr if absent.
  const Header* find(std::string_view name) const noexcept;
  void clear() noexcept;
};

// ASCII case-insensitive equality (field names, tokens). Inline: the proxy compares every field
// name of every message with it, and the out-of-line call cost ~4% of a proxied request's
// instructions (most compares end at the length check).
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    if ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z') return false;
  }
  return true;
}

} // namespace balancerd::http
