#pragma once
// One client connection speaking HTTP/1.1 (internal to server/net: it includes Asio). It reads request
// heads with the parser, hands each request to the RequestHandler as an Exchange, frames and writes
// the response, streams the request body on demand, keeps the connection alive or closes it as Apache
// would, and answers protocol errors and timeouts with Apache's pages.
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "server/http/read_timeout.hpp"
#include "server/http/request_parser.hpp"
#include "server/net/exchange.hpp"
#include "server/net/exchange_state.hpp"
#include "server/net/handler_slot.hpp"
#include "server/net/server_options.hpp"

namespace balancerd::net {

class Connection;
class TlsSession;

// The live connections of one thread, so stop() can close them (intrusive list: no allocation).
struct ConnectionList {
  Connection* first = nullptr;
  std::atomic<std::size_t> count{0}; // read by other threads while draining
  bool draining = false;             // graceful stop: no more keep-alive, idle ones closed
  void close_all();
  // Graceful stop: closes connections waiting for a request; the others end after their response.
  void close_idle();
};

class Connection final : public Exchange, public std::enable_shared_from_this<Connection> {
public:
  Connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<const ConnectionOptions> options,
             RequestHandler& handler, ConnectionList& list);
  ~Connection();
  void start();
  void shutdown();      // from ConnectionList::close_all
  void close_if_idle(); // from ConnectionList::close_idle
  Connection* next_for_list() const noexcept { return next_; }

  // Exchange
  const http::Request& request() const override { return st_->request; }
  const PeerInfo& peer() const override { return peer_; }
  void set_body_limit(std::uint64_t limit) override { body_limit_ = limit; }
  void read_body(BodyCallback cb) override;
  http::ResponseHead& response() override { return st_->head; }
  void write(std::span<const char> data, bool last, WriteCallback done) override;
  // Completes at once (done before returning) when the socket takes everything, over plaintext, and
  // no callback of a connection runs further up this thread's stack (see connection.cpp).
  void write_inline(std::span<const char> data, bool last, WriteCallback done) override;
  void send_error(int status, const http::ErrorPageInfo& info, std::string_view allow) override;
  bool head_sent() const override { return head_sent_; }
  unsigned keepalives() const override { return served_ > 0 ? served_ - 1 : 0; }
  std::chrono::system_clock::time_point request_time() const override { return begin_; }
  void abort_connection() override;
  void close_after_response() override { close_after_ = true; }
  int body_error() const override { return body_error_ > 0 ? body_error_ : 0; }
  void end_response_by_close() override { close_after_ = end_by_close_ = true; }
  void set_page_identity(http::ServerSignature signature, std::string_view admin) override {
    page_signature_ = signature;
    page_admin_ = admin;
    page_identity_ = true;
  }
  void upgrade(int status, std::string_view head, std::function<void(RawStream*)> done) override;
  void write_interim(std::string_view head, WriteCallback done) override;
  void set_handler_state(void* state) override { handler_state_ = state; }
  void* handler_state() const override { return handler_state_; }
  void set_body_read_timeout(const http::ReadTimeoutStage& stage) override;
  ConnectionNames* connection_names(bool create) override {
    if (!names_ && create) names_ = std::make_unique<ConnectionNames>();
    return names_.get();
  }

private:
  using Duration = std::chrono::steady_clock::duration;
  void wait_for_request();
  void mark_begin(); // a new request's first bytes are here
  void on_readable(const boost::system::error_code& ec);
  void process_head();
  void read_head_more();
  void dispatch();
  void send_protocol_error(int status, std::string_view note, std::string_view expect);
  void decide_framing(bool last, std::size_t first_size, http::HeadFraming& framing);
  // Sends `out` (the connection's buffer, or the thread's: see thread_out() in connection.cpp), then
  // data; what must outlive the call is kept in the connection's buffer.
  void start_write(std::string& out, std::span<const char> data, bool chunk_data, bool last,
                   bool complete_inline = false);
  void write(std::span<const char> data, bool last, WriteCallback done, bool complete_inline);
  void on_written(const boost::system::error_code& ec);
  void finish_response();
  void report_finished(bool aborted); // RequestHandler::finished, once per exchange
  std::string_view log_request_line();
  void next_request();
  void pump_body();
  bool next_body_piece(BodyPiece& piece); // false: must read more
  void read_body_more();
  void drain_body();
  void close();
  void linger();
  void linger_read();
  // Timeouts are lazy (and their arithmetic reads the coarse clock, coarse_clock.hpp): arming only moves
  // deadline_; the one Asio timer is re-armed when it fires before the deadline, or when a deadline earlier
  // than its expiry is set. A request so costs a clock read instead of a timer-queue insert, a cancel and an
  // aborted completion per arm.
  void arm_timer(Duration d);
  void disarm_timer() noexcept { deadline_ = TimePoint::max(); }
  void cancel_timer(); // really cancels (close, upgrade): the pending wait lets go of the connection
  void start_timer(std::chrono::steady_clock::time_point at);
  void on_timer();
  void grow_buffer(std::size_t min_space);
  // TLS toward the client (connection_tls.cpp). Every socket read and write of the request path
  // branches once on tls_ (null for plaintext), so a plain connection pays one predictable test.
  using IoHandler = std::function<void(const boost::system::error_code&, std::size_t)>;
  bool tls_start(); // true: the address is TLS and the handshake has started
  void tls_handshake_step();
  void tls_wait_for_request();
  std::size_t tls_read_now(char* buf, std::size_t len, boost::system::error_code& ec);
  void tls_read(boost::asio::mutable_buffer buf, IoHandler done);
  void tls_write(const boost::asio::const_buffer* bufs, std::size_t n, IoHandler done);
  struct TlsWrite;
  void tls_write_step(std::shared_ptr<TlsWrite> w);

  struct Upgraded; // the RawStream of an upgraded connection (connection_upgrade.cpp)
  friend struct Upgraded;
  std::shared_ptr<Upgraded> upgraded_;
  std::unique_ptr<TlsSession> tls_; // null: plaintext
  boost::asio::ip::tcp::socket socket_;
  boost::asio::io_context* io_ = nullptr; // the socket's, when its executor is an io_context's (posts)
  boost::asio::steady_timer timer_;
  using TimePoint = std::chrono::steady_clock::time_point;
  TimePoint deadline_ = TimePoint::max(); // when the current wait times out (max: none)
  TimePoint timer_at_{};                  // expiry of the pending Asio wait
  bool timer_pending_ = false;
  // The options of the configuration this connection was accepted under: a graceful reload gives new
  // connections the new ones, while this one keeps its own until it ends (as an old Apache child does).
  std::shared_ptr<const ConnectionOptions> opts_hold_;
  const ConnectionOptions& opts_;
  RequestHandler& handler_;
  ConnectionList& list_;
  Connection* prev_ = nullptr;
  Connection* next_ = nullptr;
  http::RequestParser parser_;
  http::ReadDeadline read_stage_; // RequestReadTimeout's header/body stage
  // The base server's RequestReadTimeout (ConnectionOptions::request_read_by_address), set in start()
  const http::RequestReadTimeouts* read_timeouts_;
  std::unique_ptr<ConnectionNames> names_; // only once a request looked the client's name up
  std::unique_ptr<ExchangeState> st_;
  std::shared_ptr<Connection> self_; // held while a handler owns the exchange
  void* handler_state_ = nullptr;
  std::string_view page_admin_;
  http::ServerSignature page_signature_ = http::ServerSignature::Off;
  bool page_identity_ = false;
  bool write_failed_ = false;
  bool idle_ = false;          // waiting for a request (no byte of it yet)
  bool exchange_open_ = false; // a response is owed a finished() report
  bool dispatched_ = false;    // the handler saw this exchange (else: a protocol error)
  std::uint64_t bytes_out_ = 0, body_out_ = 0, body_in_ = 0;
  std::chrono::system_clock::time_point begin_; // the request's first bytes (mark_begin)
  BodyCallback body_cb_;
  WriteCallback write_cb_;
  PeerInfo peer_;
  char remote_ip_[46] = {};
  char local_ip_[46] = {};
  char chunk_head_[24];
  // The pieces of the write in flight: async_write keeps referring to its buffer sequence until the write
  // completes, so they cannot live on start_write's stack.
  std::array<boost::asio::const_buffer, 4> out_bufs_{};
  std::uint64_t body_remaining_ = 0;
  std::uint64_t body_limit_ = 0;
  std::size_t head_size_ = 0; // bytes of the current head at the front of the buffer
  std::size_t bpos_ = 0;      // end of the consumed request bytes (head and body) in the buffer
  unsigned served_ = 0;
  int body_error_ = 0;
  bool timed_out_ = false;
  bool in_handler_ = false;
  bool head_sent_ = false;
  bool chunked_out_ = false;
  bool body_suppressed_ = false;
  bool keep_alive_ = false;
  bool writing_ = false;
  bool response_done_ = false;
  bool body_done_ = false;
  bool body_wanted_ = false;
  bool delivering_ = false;
  bool reading_body_ = false;
  bool continue_sent_ = false;
  bool broken_ = false;
  bool close_after_ = false;  // close_after_response(): this response ends the connection
  bool end_by_close_ = false; // end_response_by_close(): and no Content-Length
  bool closed_ = false;
  // The memory of the pending wait for a request or its head (handler_slot.hpp): one read at a time.
  HandlerSlot read_slot_;
};

} // namespace balancerd::net
