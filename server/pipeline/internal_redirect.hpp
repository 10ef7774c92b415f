#pragma once
// A local ErrorDocument ("/path") is an internal redirect in Apache: a new request for that URL (GET,
// or HEAD for a HEAD) goes through URI translation, the per-path sections, access checks and a
// handler again, on the same connection, and its response keeps the original error status. Here the
// new request is an Exchange seen through RedirectedExchange: it shows the redirected request line
// and forwards everything else to the client's exchange. The pipeline runs its phases on it with a
// RequestState of its own, which starts with the REDIRECT_* variables Apache sets. Nothing of this
// exists unless an ErrorDocument is used.
#include <memory>
#include <string>

#include "server/net/exchange.hpp"

namespace balancerd::pipeline {

struct RequestState;

class RedirectedExchange final : public net::Exchange {
public:
  // `url`: the ErrorDocument's local URL (it may carry a query); `status`: the error being answered.
  RedirectedExchange(net::Exchange& outer, RequestState& from, std::string_view url, int status);

  const http::Request& request() const override { return request_; }
  const net::PeerInfo& peer() const override { return outer_.peer(); }
  void set_body_limit(std::uint64_t limit) override { outer_.set_body_limit(limit); }
  void read_body(net::BodyCallback cb) override { outer_.read_body(std::move(cb)); }
  http::ResponseHead& response() override { return outer_.response(); }
  void write(std::span<const char> data, bool last, net::WriteCallback done) override;
  void send_error(int status, const http::ErrorPageInfo& info, std::string_view allow) override;
  bool head_sent() const override { return outer_.head_sent(); }
  unsigned keepalives() const override { return outer_.keepalives(); }
  void abort_connection() override { outer_.abort_connection(); }
  void set_page_identity(http::ServerSignature s, std::string_view admin) override {
    outer_.set_page_identity(s, admin);
  }
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
  net::Exchange& outer_;
  RequestState& from_;
  RequestState* inner_ = nullptr;
  int status_;
  std::string url_; // request_.target, path and query view it
  std::string method_text_;
  http::Request request_;
};

// What a request that was answered by an internal redirect keeps (RequestState::redirect).
struct InternalRedirect {
  std::unique_ptr<RedirectedExchange> exchange;
  // The redirected request failed too: the client got the original request's page with Apache's
  // "Additionally" paragraph, so the original request's settings shape the response head.
  bool failed = false;
};

// Apache's page for `status` when the ErrorDocument of a request failed with `nested_status`: the
// status's own text, then "Additionally, a <nested> error was encountered ...".
void append_additional_error_body(std::string& out, int status, int nested_status,
                                  const http::ErrorPageInfo& info);

} // namespace balancerd::pipeline
