#include "server/pipeline/internal_redirect.hpp"

#include <string>

#include "server/http/status.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::pipeline {

RedirectedExchange::RedirectedExchange(net::Exchange& outer, RequestState& from, std::string_view url,
                                       int status, const http::ErrorPageInfo& page, std::string_view allow)
    : outer_(outer), from_(from), status_(status), url_(url), notes_(page.note), reason_(page.reason),
      allow_(allow), request_(outer.request()) {
  // the new request is a GET whatever the method was, a HEAD too (a backend gets a GET; the client's
  // connection still sends no body for a HEAD, as Apache's r->header_only stays)
  request_.method = http::Method::Get;
  request_.method_text = "GET";
  request_.target = url_;
  request_.absolute_uri = false;
  const auto q = url_.find('?');
  request_.path = std::string_view(url_).substr(0, q);
  request_.query = q == std::string::npos ? std::string_view{} : std::string_view(url_).substr(q + 1);
  // the original body is not the new request's (the connection discards what is left of it)
  const bool had_body = request_.body != http::BodyKind::None;
  request_.body = http::BodyKind::None;
  request_.content_length = 0;
  request_.expect_continue = false;
  // Apache's new request shares the original's headers_in: what the original's RequestHeader rules
  // (early and fixup) made of them is where the new request starts (its own rules apply again)
  if (from_.ctx.headers_in) {
    request_.headers.clear();
    for (const auto& h : *from_.ctx.headers_in) request_.headers.push_back({h.name, h.value});
  }
  // a chunked original body leaves the new request with an empty declared one: a backend serving the
  // error document gets "Content-Length: 0", as from apache2 (a Content-Length original already does)
  if (had_body && !request_.find("Content-Length")) request_.headers.push_back({"Content-Length", "0"});
  // ap_die marks the connection to close for such a status before it redirects: whatever status
  // finally goes out (a proxied document's own), the connection ends after it
  if (http::status_drops_connection(status_)) outer_.close_after_response();
}

void RedirectedExchange::read_body(net::BodyCallback cb) {
  net::BodyPiece none;
  none.end = true;
  cb(none);
}

bool RedirectedExchange::keeps_original_status() const {
  if (!inner_ || !inner_->handler.starts_with("proxy")) return true;
  return inner_->dir && inner_->dir->proxy->error_override.value_or(false);
}

void RedirectedExchange::write(std::span<const char> data, bool last, net::WriteCallback done) {
  // the ErrorDocument's response carries the original error status, whatever its handler set
  if (!outer_.head_sent() && keeps_original_status()) {
    auto& h = outer_.response();
    h.status = status_;
    h.reason = {};
  }
  outer_.write(data, last, std::move(done));
}

void RedirectedExchange::send_error(int status, const http::ErrorPageInfo&, std::string_view) {
  if (from_.redirect) {
    from_.redirect->failed = true;
    from_.redirect->nested_status = status;
  }
  from_.error_response = true; // the original request's page: only its `Header always`
  http::ErrorPageInfo page;
  page.note = notes_;
  page.reason = reason_;
  // Apache names the original status there: the redirect started with it as its own status
  page.additional_status = status_;
  outer_.send_error(status_, page, allow_);
}

void RedirectedExchange::set_handler_state(void* state) {
  inner_ = static_cast<RequestState*>(state);
  if (!inner_) return;
  inner_->redirected_from = &from_;
  // Apache renames the original request's environment to REDIRECT_<name> (REQUEST_METHOD and
  // ERROR_NOTES included, which it put there for the redirect) and adds the status
  std::string name;
  for (const auto& e : from_.env) {
    name.assign("REDIRECT_").append(e.name);
    inner_->env.set(name, e.value);
  }
  inner_->env.set("REDIRECT_STATUS", std::to_string(status_));
}

} // namespace balancerd::pipeline
