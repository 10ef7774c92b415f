#pragma once
// Request methods. Apache knows a fixed set of "registered" methods; anything else is accepted under
// LenientMethods and answered 501 under RegisteredMethods.
#include <cstdint>
#include <string_view>

namespace balancerd::http {

enum class Method : std::uint8_t {
  Get,
  Head,
  Post,
  Put,
  Delete,
  Connect,
  Options,
  Trace,
  Patch,
  Propfind,
  Proppatch,
  Mkcol,
  Copy,
  Move,
  Lock,
  Unlock,
  VersionControl,
  Checkout,
  Uncheckout,
  Checkin,
  Update,
  Label,
  Report,
  Mkworkspace,
  Mkactivity,
  BaselineControl,
  Merge,
  Other, // an unregistered token, kept as text in Request::method_text
};

// Case-sensitive, as method names are (RFC 9110 §9.1).
Method method_from_token(std::string_view token) noexcept;
std::string_view method_name(Method m) noexcept;

} // namespace balancerd::http
