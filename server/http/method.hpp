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

// What Apache's default handler answers a method with when it has no file to send (a missing file,
// a directory without an index), before looking at the file: 0 for GET, HEAD and POST (the caller
// goes on: 404 and the like), 200 for OPTIONS (an empty answer with Allow), 501 for a method it does
// not know and 405 for any other (CONNECT, PUT, DELETE, WebDAV's...), both with Allow.
int default_handler_status(Method m) noexcept;
// The Allow header of those answers: the methods the default handler takes.
inline constexpr std::string_view kDefaultHandlerAllow = "GET,HEAD,OPTIONS,POST,TRACE";

} // namespace balancerd::http
