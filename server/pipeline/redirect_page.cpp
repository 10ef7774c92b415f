#include "server/pipeline/redirect_page.hpp"

#include "server/handlers/owned_body.hpp"
#include "server/http/error_page.hpp"
#include "server/http/status.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::pipeline {

void append_redirect_body(std::string& out, int status, std::string_view url) {
  std::string_view reason = http::reason_phrase(status);
  out.append(
      "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
      "<html><head>\n<title>");
  out.append(std::to_string(status));
  out.push_back(' ');
  out.append(reason);
  out.append("</title>\n</head><body>\n<h1>");
  out.append(reason);
  out.append("</h1>\n");
  if (status == 303)
    out.append("<p>The answer to your request is located <a href=\"");
  else
    out.append("<p>The document has moved <a href=\"");
  http::append_html_escaped(out, url);
  out.append("\">here</a>.</p>\n</body></html>\n");
}

void send_redirect(net::Exchange& ex, int status, std::string_view url) {
  if (auto* st = static_cast<RequestState*>(ex.handler_state()); st && status != 300 && status != 305) {
    // Apache builds the page as an error response (ServerSignature footer included); Location is
    // one of the fields its error pages keep
    st->error_response = true;
    st->error_page_fields.set("Location", url);
    http::ErrorPageInfo info;
    info.location = url;
    ex.send_error(status, info, {});
    return;
  }
  std::string body;
  append_redirect_body(body, status, url);
  auto& h = ex.response();
  h.status = status;
  h.add("Location", url);
  h.set_content_type("text/html; charset=iso-8859-1");
  if (ex.request().method == http::Method::Head) {
    // Apache's redirect page is an error-style response: for HEAD it sends no length and no body
    ex.write({}, true, {});
    return;
  }
  h.content_length = body.size();
  handlers::write_owned(ex, std::move(body));
}

void send_error_document_url(net::Exchange& ex, int status, std::string_view url) {
  if (http::status_drops_connection(status)) ex.close_after_response();
  send_redirect(ex, 302, url);
}

} // namespace balancerd::pipeline
