#pragma once
// A local ErrorDocument ("/path") is an internal redirect in Apache: a new request for that URL (a
// GET, for a HEAD too, which still gets no body) goes through the post_read_request phase, URI
// translation, the per-path sections, access checks and a handler again, on the same connection, and its
// response keeps the original error status (unless a backend answers it: the backend's status goes out,
// except under the redirect's own ProxyErrorOverride). Here the new request is an Exchange seen through
// RedirectedExchange: it shows the redirected request line over the original request's headers (as
// they stand after the original's RequestHeader rules: Apache shares that table) and forwards
// everything else to the client's exchange. The pipeline runs its phases on it with a RequestState of
// its own, which starts with the REDIRECT_* variables Apache sets. Any error of the new request
// (a refusal, a missing file, a redirect) is answered with the original status's page plus Apache's
// "Additionally" paragraph. Nothing of this exists unless an ErrorDocument is used.
#include <memory>
#include <string>

#include "server/net/exchange.hpp"

namespace balancerd::pipeline {

struct RequestState;

class RedirectedExchange final : public net::Exchange {
public:
  // `url`: the ErrorDocument's local URL (it may carry a query); `status`: the error being answered;
  // `page` and `allow`: what the original status's own page would have carried (its error notes
  // and reason, used if the redirect fails too). `from` must already hold its InternalRedirect.
  // A status after which Apache drops the connection (400, 413, 503...) closes it after the answer,
  // even when a backend answers the new request with a 200.
  RedirectedExchange(net::Exchange& outer, RequestState& from, std::string_view url, int status,
                     const http::ErrorPageInfo& page = {}, std::string_view allow = {});

  const http::Request& request() const override { return request_; }
  const net::PeerInfo& peer() const override { return outer_.peer(); }
  void set_body_limit(std::uint64_t limit) override { outer_.set_body_limit(limit); }
  // The new request has no body: an empty, complete one (what is left of the original's body is the
  // connection's to discard, never a backend's to receive).
  void read_body(net::BodyCallback cb) override;
  http::ResponseHead& response() override { return outer_.response(); }
  void write(std::span<const char> data, bool last, net::WriteCallback done) override;
  // The redirect failed: the original request's page, "Additionally" paragraph included.
  void send_error(int status, const http::ErrorPageInfo& info, std::string_view allow) override;
  bool head_sent() const override { return outer_.head_sent(); }
  unsigned keepalives() const override { return outer_.keepalives(); }
  // Apache's internal redirect keeps the original request's time.
  std::chrono::system_clock::time_point request_time() const override { return outer_.request_time(); }
  void abort_connection() override { outer_.abort_connection(); }
  void close_after_response() override { outer_.close_after_response(); }
  int body_error() const override { return outer_.body_error(); }
  void end_response_by_close() override { outer_.end_response_by_close(); }
  // Pages of this request are the original request's (its ServerSignature and ServerAdmin, as
  // Apache signs the page of the first error): the new request's sections do not change them.
  void set_page_identity(http::ServerSignature, std::string_view) override {}
  void upgrade(int status, std::string_view head, std::function<void(net::RawStream*)> done) override {
    outer_.upgrade(status, head, std::move(done));
  }
  void write_interim(std::string_view head, net::WriteCallback done) override {
    outer_.write_interim(head, std::move(done));
  }
  // The pipeline's state for the new request: it is given its REDIRECT_* variables here, before the
  // pipeline runs its phases (handle() stores the state first).
  void set_handler_state(void* state) override;
  void* handler_state() const override { return inner_; }
  void set_body_read_timeout(const http::ReadTimeoutStage& stage) override {
    outer_.set_body_read_timeout(stage);
  }
  net::ConnectionNames* connection_names(bool create) override { return outer_.connection_names(create); }

  RequestState* inner() const { return inner_; }
  int status() const { return status_; }

private:
  // Whether the response goes out with the original status: yes, unless a backend answered the new
  // request and the new request's ProxyErrorOverride is off (Apache then relays the backend's).
  bool keeps_original_status() const;

  net::Exchange& outer_;
  RequestState& from_;
  RequestState* inner_ = nullptr;
  int status_;
  std::string url_; // request_.target, path and query view it
  std::string notes_, reason_, allow_;
  http::Request request_;
};

// What a request that was answered by an internal redirect keeps (RequestState::redirect).
struct InternalRedirect {
  std::unique_ptr<RedirectedExchange> exchange;
  // The redirected request failed too: the client got the original request's page with Apache's
  // "Additionally" paragraph, so the original request's settings shape the response head.
  bool failed = false;
  int nested_status = 0; // the redirected request's own status when it failed (%>s)
  std::string
      content_type; // its type by mod_mime when it failed after typing (a missing file; %{Content-Type}o)
};

} // namespace balancerd::pipeline
