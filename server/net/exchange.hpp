#pragma once
// The interface between a connection and whatever answers its requests (static files, the proxy,
// balancer-manager). No Asio here: handlers see a request, pull its body piece by piece, and push the
// response piece by piece, so neither side ever buffers a whole body.
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "server/http/error_page.hpp"
#include "server/http/read_timeout.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"

namespace balancerd::net {

struct BodyPiece {
  std::span<const char> data; // valid until the next read_body() call or the end of the response
  bool end = false;           // the body is complete (data may still hold its last bytes)
  int error = 0; // 400 (bad chunking), 413 (over LimitRequestBody), 408 (timeout), -1 (peer gone)
};

// Callbacks keep captures small (a pointer or two) so std::function stores them without allocating.
using BodyCallback = std::function<void(const BodyPiece&)>;
using WriteCallback = std::function<void(bool ok)>;

struct TlsFacts; // tls_facts.hpp

struct PeerInfo {
  std::string_view remote_ip;
  unsigned short remote_port = 0;
  std::string_view local_ip;
  unsigned short local_port = 0;
  const TlsFacts* tls = nullptr; // the connection's TLS (mod_ssl's HTTPS=on); null: plaintext
};

// The client connection after a protocol upgrade (Exchange::upgrade): plain bytes both ways, no HTTP
// framing and no timeout of its own (its user keeps the idle timer, as mod_proxy's tunnel does).
// Callbacks run on the connection's thread; none runs after close().
class RawStream {
public:
  // At least one byte; ok false: the client closed or reset the connection, or the server shut it
  // down. data stays valid until the next read_some().
  using ReadCallback = std::function<void(bool ok, std::span<const char> data)>;
  virtual void read_some(ReadCallback cb) = 0;
  // Writes all of data (valid until done runs).
  virtual void write(std::span<const char> data, WriteCallback done) = 0;
  // Half close: no more bytes to the client (the other side of the tunnel ended).
  virtual void shutdown_send() = 0;
  // Ends the exchange: RequestHandler::finished runs (the upgrade's status, every byte both ways
  // counted) and the connection closes.
  virtual void close() = 0;

protected:
  ~RawStream() = default;
};

// What Apache keeps on the connection (conn_rec) for the requests that follow: the client's name
// once a request looked it up (HostnameLookups, Require host), so a keep-alive connection resolves
// once, and later requests show it (%h, REMOTE_HOST) even where HostnameLookups is Off.
struct ConnectionNames {
  std::string remote_host;        // lower case; "" when the lookup found no name (or Double refused it)
  bool looked_up = false;         // remote_host is the lookup's answer
  signed char double_reverse = 0; // HostnameLookups Double's check: 0 not done, 1 passed, -1 failed
};

class Exchange {
public:
  virtual const http::Request& request() const = 0;
  virtual const PeerInfo& peer() const = 0;

  // LimitRequestBody for this request (the handler knows the per-directory value); call before
  // read_body(). A Content-Length above it is answered 413 by read_body's error.
  virtual void set_body_limit(std::uint64_t limit) = 0;
  // Delivers the next piece of the request body (after sending "100 Continue" if the client waits
  // for it). Call again, once the piece is used, for the next one.
  virtual void read_body(BodyCallback cb) = 0;

  // The response head to fill before the first write (status, fields, content type, and
  // content_length if known: otherwise the body is chunked for HTTP/1.1, close-delimited for 1.0).
  virtual http::ResponseHead& response() = 0;
  // Sends the head if not yet sent, then data; last ends the response. data must stay valid until
  // done runs (done may be empty; it runs on the connection's thread).
  virtual void write(std::span<const char> data, bool last, WriteCallback done) = 0;
  // The same, but done may run before this returns (when the socket takes every byte at once), while
  // the caller's state is still in cache: a posted completion runs after hundreds of other events at
  // many connections. done may end the exchange (finished() runs, the next request may start), so the
  // caller touches nothing after the call that done may free. Exchanges without it just write().
  virtual void write_inline(std::span<const char> data, bool last, WriteCallback done) {
    write(data, last, std::move(done));
  }
  // Answers with Apache's error page for status (the whole response). info may carry the note,
  // Allow etc.; method and signature are filled in from the request and server options.
  virtual void send_error(int status, const http::ErrorPageInfo& info = {}, std::string_view allow = {}) = 0;
  virtual bool head_sent() const = 0;
  // When the request's first bytes arrived (Apache's r->request_time: %t, mod_headers' %t and %D,
  // REQUEST_TIME); an exchange without a connection of its own answers the time of asking.
  virtual std::chrono::system_clock::time_point request_time() const {
    return std::chrono::system_clock::now();
  }
  // Requests this connection served before this one (Apache's c->keepalives).
  virtual unsigned keepalives() const { return 0; }
  // Ends the exchange by closing the connection without any response (mod_proxy_http after a reused
  // backend connection failed, so that the client may send the request again). Before the head only.
  virtual void abort_connection() {}
  // The connection closes after this response whatever its status says (Apache's ap_die marks the
  // connection AP_CONN_CLOSE for a status that drops it, and an ErrorDocument's redirect or URL may
  // then go out with another status: a backend's 200, a 302).
  virtual void close_after_response() {}
  // The status of a failed request-body read (413 over LimitRequestBody, 400 a bad chunk), 0 if none.
  virtual int body_error() const { return 0; }
  // Like close_after_response, and the response goes out without a Content-Length: its end is the
  // connection's end. apache2 frames so the ErrorDocument message or URL redirect that answers a
  // failed request-body read, as it does its own page for one (send_error).
  virtual void end_response_by_close() { close_after_response(); }

  // What server-generated pages (send_error) of this request say about the server: Apache takes
  // ServerSignature and ServerAdmin from the request's per-directory configuration. `admin` must stay
  // valid until the response completed. Until called, the server-wide settings apply.
  virtual void set_page_identity(http::ServerSignature, std::string_view /*admin*/) {}

  // Protocol upgrade (mod_proxy's tunnels): sends `head` as it is (a complete response head the caller
  // serialised; empty for an HTTP/1.0 client, who gets none: no header hook, framing or Date added,
  // as Apache relays a 101), records `status` for the log, then hands the connection over as a
  // RawStream. Bytes the client sent after the request come first from read_some(). nullptr: the
  // client is gone and the exchange has ended; do not use it again.
  virtual void upgrade(int /*status*/, std::string_view /*head*/, std::function<void(RawStream*)> done) {
    done(nullptr);
  }

  // An interim (1xx) response before the final one (mod_proxy relays a backend's 103 Early Hints, 102):
  // `head` is the complete head the caller serialised ("HTTP/1.1 103 Early Hints\r\n...\r\n"), written
  // as is (no header hook, no Date). Only before the final head; data must stay valid until done runs.
  // done(false): not sent (the client is gone, or the final head already went out).
  virtual void write_interim(std::string_view /*head*/, WriteCallback done) {
    if (done) done(true);
  }

  // One slot for the handler's per-request state (the pipeline's RequestState): set in handle(), read
  // back in RequestHandler::on_head/finished. The connection only stores it; it is cleared after
  // finished().
  virtual void set_handler_state(void*) {}
  virtual void* handler_state() const { return nullptr; }

  // RequestReadTimeout's body stage of the request's name-based vhost (mod_reqtimeout reads it from
  // the request's server): restarts the stage, before the body is read. Ignored when the
  // connection's base server does not enable mod_reqtimeout (RequestReadTimeouts::on).
  virtual void set_body_read_timeout(const http::ReadTimeoutStage&) {}
  // The connection's names, made on first use with `create` (an idle connection stays small);
  // nullptr: none yet, or none kept (an exchange without a connection of its own).
  virtual ConnectionNames* connection_names(bool /*create*/) { return nullptr; }

  // Convenience: a complete response with a body known in advance.
  void respond(int status, std::string_view content_type, std::string_view body, WriteCallback done = {}) {
    auto& h = response();
    h.status = status;
    if (!content_type.empty()) h.set_content_type(content_type);
    h.content_length = body.size();
    write(std::span<const char>(body.data(), body.size()), true, std::move(done));
  }

protected:
  ~Exchange() = default;
};

// How an exchange ended, for the access log (filled by the connection).
struct ExchangeOutcome {
  int status = 0;                              // the status sent (0: nothing was sent)
  std::uint64_t body_bytes = 0;                // response body bytes sent, framing excluded (%B)
  std::uint64_t bytes_out = 0;                 // every byte written for the response, head included (%O)
  std::uint64_t bytes_in = 0;                  // request head and body bytes read (%I)
  char connection_status = '-';                // %X: 'X' aborted, '+' kept alive, '-' closed after it
  bool dispatched = true;                      // false: a protocol error the connection answered itself
  std::string_view request_line;               // the request line as Apache logs it (%r)
  std::chrono::system_clock::time_point begin; // when the request's first bytes arrived (%t; %D from it)
  unsigned keepalives = 0;                     // requests served on this connection before this one (%k)
};

class RequestHandler {
public:
  virtual ~RequestHandler() = default;
  // Called on the connection's thread once a request head has been parsed. The Exchange stays valid
  // until the response's last write has completed.
  virtual void handle(Exchange& exchange) = 0;

  // Right before a response head is serialised: the last chance to change its fields (mod_headers'
  // output filter). `error_page`: the connection generates the response (send_error), so it carries
  // only what Apache keeps on its error pages (err_headers_out); the head holds the page's own fields.
  virtual void on_head(Exchange& /*exchange*/, http::ResponseHead& /*head*/, bool /*error_page*/) {}

  // Once per request when its response has completed, or the connection ended under it, or the
  // connection answered a malformed request itself (outcome.dispatched false: handle() never ran and
  // request() holds only what was parsed). Runs before the exchange's buffers are reused.
  virtual void finished(Exchange& /*exchange*/, const ExchangeOutcome& /*outcome*/) {}
};

} // namespace balancerd::net
