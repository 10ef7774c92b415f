#pragma once
// The response field names the proxy acts on (framing, hop-by-hop, front-end written, rewritten),
// recognised once per field: a switch on the length, then one or two compares of whole 8-byte words
// against the lower-case name. A chain of byte-wise case-insensitive compares per field and per use
// cost ~1,000 instructions for an eight-field nginx response.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace balancerd::backend {

enum class ResponseField : unsigned char {
  Other,
  // hop-by-hop: never forwarded (Upgrade kept on a 101)
  Connection,
  KeepAlive,
  ProxyConnection,
  ProxyAuthenticate,
  TE,
  Trailer,
  Upgrade,
  TransferEncoding,
  ContentLength,
  // the front end writes its own
  Date,
  Server,
  // end-to-end fields the proxy looks at
  ContentType,
  Location,
  ContentLocation,
  Uri,
  SetCookie,
  SetCookie2,
};

// Dropped before the response goes to the client (see hop_by_hop.hpp).
constexpr bool is_response_hop(ResponseField f, bool keep_upgrade) noexcept {
  return f == ResponseField::Upgrade ? !keep_upgrade
                                     : f != ResponseField::Other && f < ResponseField::ContentType;
}

// ProxyPassReverse rewrites these (URL ones and cookie ones).
constexpr bool is_reverse_url_field(ResponseField f) noexcept {
  return f == ResponseField::Location || f == ResponseField::ContentLocation || f == ResponseField::Uri;
}
constexpr bool is_reverse_cookie_field(ResponseField f) noexcept {
  return f == ResponseField::SetCookie || f == ResponseField::SetCookie2;
}

namespace field_name {

static_assert(std::endian::native == std::endian::little, "words are built in little-endian byte order");

// A lower-case field name as words to compare with, and per byte 0x20 where it is a letter: a byte b
// of the input matches the lower-case letter c when (b | 0x20) == c (b is c or its upper case), any
// other byte must be equal. Exact ASCII case-insensitive equality, unlike or-ing 0x20 everywhere
// (which would take '\r' for '-').
struct Key {
  std::size_t len = 0;
  std::size_t at[3]{};
  std::uint64_t word[3]{}, mask[3]{};
  int windows = 0;
  int width = 8; // bytes per window: 8, or 4 for names of 4..7 bytes, or len for shorter ones
};

consteval Key make_key(std::string_view lower) {
  Key k;
  k.len = lower.size();
  auto add = [&](std::size_t at) {
    std::uint64_t w = 0, m = 0;
    for (int i = 0; i < k.width; ++i) {
      const auto c = static_cast<unsigned char>(lower[at + static_cast<std::size_t>(i)]);
      w |= std::uint64_t{c} << (8 * i);
      if (c >= 'a' && c <= 'z') m |= std::uint64_t{0x20} << (8 * i);
    }
    k.at[k.windows] = at;
    k.word[k.windows] = w;
    k.mask[k.windows] = m;
    ++k.windows;
  };
  if (k.len >= 8) {
    add(0);
    if (k.len > 16) add(8);
    add(k.len - 8); // overlaps the window before it unless the length is a multiple of 8
  } else if (k.len >= 4) {
    k.width = 4;
    add(0);
    add(k.len - 4);
  } else {
    k.width = static_cast<int>(k.len);
    add(0);
  }
  return k;
}

template <const Key& K> inline bool is(std::string_view name) noexcept {
  if (name.size() != K.len) return false;
  const char* p = name.data();
  for (int i = 0; i < K.windows; ++i) {
    std::uint64_t v = 0;
    if constexpr (K.width == 8) {
      std::memcpy(&v, p + K.at[i], 8);
    } else if constexpr (K.width == 4) {
      std::uint32_t v4;
      std::memcpy(&v4, p + K.at[i], 4);
      v = v4;
    } else {
      for (int b = 0; b < K.width; ++b) v |= std::uint64_t{static_cast<unsigned char>(p[b])} << (8 * b);
    }
    if ((v | K.mask[i]) != K.word[i]) return false;
  }
  return true;
}

inline constexpr Key kTe = make_key("te");
inline constexpr Key kUri = make_key("uri");
inline constexpr Key kDate = make_key("date");
inline constexpr Key kServer = make_key("server");
inline constexpr Key kTrailer = make_key("trailer");
inline constexpr Key kUpgrade = make_key("upgrade");
inline constexpr Key kLocation = make_key("location");
inline constexpr Key kConnection = make_key("connection");
inline constexpr Key kKeepAlive = make_key("keep-alive");
inline constexpr Key kSetCookie = make_key("set-cookie");
inline constexpr Key kSetCookie2 = make_key("set-cookie2");
inline constexpr Key kContentType = make_key("content-type");
inline constexpr Key kContentLength = make_key("content-length");
inline constexpr Key kContentLocation = make_key("content-location");
inline constexpr Key kProxyConnection = make_key("proxy-connection");
inline constexpr Key kTransferEncoding = make_key("transfer-encoding");
inline constexpr Key kProxyAuthenticate = make_key("proxy-authenticate");

} // namespace field_name

// Inline: it runs for every field of every response, twice (parser, client head).
inline ResponseField classify_response_field(std::string_view n) noexcept {
  using namespace field_name;
  using F = ResponseField;
  switch (n.size()) {
  case 2:
    return is<kTe>(n) ? F::TE : F::Other;
  case 3:
    return is<kUri>(n) ? F::Uri : F::Other;
  case 4:
    return is<kDate>(n) ? F::Date : F::Other;
  case 6:
    return is<kServer>(n) ? F::Server : F::Other;
  case 7:
    if (is<kTrailer>(n)) return F::Trailer;
    return is<kUpgrade>(n) ? F::Upgrade : F::Other;
  case 8:
    return is<kLocation>(n) ? F::Location : F::Other;
  case 10:
    if (is<kConnection>(n)) return F::Connection;
    if (is<kKeepAlive>(n)) return F::KeepAlive;
    return is<kSetCookie>(n) ? F::SetCookie : F::Other;
  case 11:
    return is<kSetCookie2>(n) ? F::SetCookie2 : F::Other;
  case 12:
    return is<kContentType>(n) ? F::ContentType : F::Other;
  case 14:
    return is<kContentLength>(n) ? F::ContentLength : F::Other;
  case 16:
    if (is<kContentLocation>(n)) return F::ContentLocation;
    return is<kProxyConnection>(n) ? F::ProxyConnection : F::Other;
  case 17:
    return is<kTransferEncoding>(n) ? F::TransferEncoding : F::Other;
  case 18:
    return is<kProxyAuthenticate>(n) ? F::ProxyAuthenticate : F::Other;
  default:
    return F::Other;
  }
}

} // namespace balancerd::backend
