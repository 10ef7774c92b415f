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

void send_error_page(net::Exchange& ex, pipeline::RequestState& state, int status,
                     const http::ErrorPageInfo& info) {
  if (state.send_error_page && !ex.head_sent())
    state.send_error_page(ex, state, status, info);
  else
    ex.send_error(status, info);
}

} // namespace balancerd::proxy
