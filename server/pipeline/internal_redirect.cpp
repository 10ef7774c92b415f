#include "server/pipeline/internal_redirect.hpp"

#include <string>

#include "server/http/status.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::pipeline {

RedirectedExchange::RedirectedExchange(net::Exchange& outer, RequestState& from, std::string_view url,
                                       int status)
    : outer_(outer), from_(from), status_(status), url_(url), request_(outer.request()) {
  // the new request is a GET whatever the method was, except that HEAD stays HEAD
  if (request_.method != http::Method::Head) {
    request_.method = http::Method::Get;
    request_.method_text = "GET";
  }
  request_.target = url_;
  request_.absolute_uri = false;
  const auto q = url_.find('?');
  request_.path = std::string_view(url_).substr(0, q);
  request_.query = q == std::string::npos ? std::string_view{} : std::string_view(url_).substr(q + 1);
  // the original body is not the new request's (the connection discards what is left of it)
  request_.body = http::BodyKind::None;
  request_.content_length = 0;
  request_.expect_continue = false;
}

void RedirectedExchange::write(std::span<const char> data, bool last, net::WriteCallback done) {
  // the ErrorDocument's response carries the original error status, whatever its handler set
  if (!outer_.head_sent()) {
    auto& h = outer_.response();
    h.status = status_;
    h.reason = {};
  }
  outer_.write(data, last, std::move(done));
}

void RedirectedExchange::send_error(int status, const http::ErrorPageInfo& info, std::string_view allow) {
  outer_.send_error(status, info, allow);
}

void RedirectedExchange::set_handler_state(void* state) {
  inner_ = static_cast<RequestState*>(state);
  if (!inner_) return;
  inner_->redirected_from = &from_;
  // Apache renames the original request's environment to REDIRECT_<name> and adds what the
  // redirect itself is about
  std::string name;
  for (const auto& e : from_.env) {
    name.assign("REDIRECT_").append(e.name);
    inner_->env.set(name, e.value);
  }
  inner_->env.set("REDIRECT_STATUS", std::to_string(status_));
  const auto& original = outer_.request();
  if (!original.query.empty()) inner_->env.set("REDIRECT_QUERY_STRING", original.query);
}

void append_additional_error_body(std::string& out, int status, int nested_status,
                                  const http::ErrorPageInfo& info) {
  const std::size_t start = out.size();
  http::append_error_body(out, status, info);
  std::string note = "<p>Additionally, a ";
  note += std::to_string(nested_status);
  note += ' ';
  note += http::reason_phrase(nested_status);
  note += "\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n";
  // the paragraph comes after the status's text, before the signature and the closing tags
  std::size_t at = out.find("<hr>", start);
  if (at == std::string::npos) at = out.rfind("</body></html>");
  if (at == std::string::npos || at < start) at = out.size();
  out.insert(at, note);
}

} // namespace balancerd::pipeline
