#include "server/proxy/proxy_error.hpp"

namespace balancerd::proxy {

http::ErrorPageInfo proxy_error_page(std::string& note, std::string_view reason) {
  note.assign("The proxy server could not handle the request<p>Reason: <strong>");
  http::append_html_escaped(note, reason);
  note.append("</strong></p>");
  http::ErrorPageInfo info;
  info.note = note;
  info.reason = "Proxy Error";
  return info;
}

} // namespace balancerd::proxy
