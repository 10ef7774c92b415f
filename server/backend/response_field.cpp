#include "server/backend/response_field.hpp"

namespace balancerd::backend {

namespace {

using field_name::is;
using field_name::Key;
using field_name::make_key;

constexpr Key kTe = make_key("te");
constexpr Key kUri = make_key("uri");
constexpr Key kDate = make_key("date");
constexpr Key kServer = make_key("server");
constexpr Key kTrailer = make_key("trailer");
constexpr Key kUpgrade = make_key("upgrade");
constexpr Key kLocation = make_key("location");
constexpr Key kConnection = make_key("connection");
constexpr Key kKeepAlive = make_key("keep-alive");
constexpr Key kSetCookie = make_key("set-cookie");
constexpr Key kSetCookie2 = make_key("set-cookie2");
constexpr Key kContentType = make_key("content-type");
constexpr Key kContentLength = make_key("content-length");
constexpr Key kContentLocation = make_key("content-location");
constexpr Key kProxyConnection = make_key("proxy-connection");
constexpr Key kTransferEncoding = make_key("transfer-encoding");
constexpr Key kProxyAuthenticate = make_key("proxy-authenticate");

} // namespace

ResponseField classify_response_field(std::string_view n) noexcept {
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
