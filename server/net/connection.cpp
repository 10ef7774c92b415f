#include "server/net/connection.hpp"

#include <arpa/inet.h>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/uio.h>

#include "server/http/http_date.hpp"
#include "server/http/status.hpp"
#include "server/net/coarse_clock.hpp"
#include "server/net/drained_read.hpp"
#include "server/net/send_now.hpp"
#include "server/net/tls_session.hpp"

namespace balancerd::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr std::size_t kMinRead = 4096;
// Apache's lingering close: after an error it reads and drops what the client still sends, for up to
// two seconds, so the client sees the response instead of a reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::string_view kContinue = http::kContinueLine;
constexpr std::string_view kLastChunkAlone = "0\r\n\r\n";
constexpr std::string_view kChunkEndAndLast = "\r\n0\r\n\r\n";

thread_local char scratch[4096]; // for reading bytes that are thrown away

// Where a plaintext response head is built: one buffer per thread, so it stays in cache whichever
// connection writes, where each connection's own output buffer is cold again by its next response
// at many connections (callgrind, 512 connections: ~7 L2 write misses per request in serialize_head).
// start_write() sends it at once and keeps in the connection's buffer only what the socket did not
// take, so nothing refers to this buffer after the call.
std::string& thread_out() {
  thread_local std::string out;
  return out;
}
constexpr std::size_t kKeepThreadOut = 64 * 1024;

// How many connection callbacks (handle(), a write's or a body piece's callback) run on this
// thread's stack. write_inline completes at once only when none does: their callers go on using the
// connection after the callback returns (on_written finishes the response, pump_body loops), which an
// exchange ended inside them would break. Per thread, not per connection: a scope outlives nothing.
thread_local int callbacks_running = 0;
struct CallbackScope {
  CallbackScope() { ++callbacks_running; }
  ~CallbackScope() { --callbacks_running; }
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;
};

void format_address(const asio::ip::tcp::endpoint& ep, char (&out)[46]) {
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  if (addr.is_v4()) {
    auto b = addr.to_v4().to_bytes();
    inet_ntop(AF_INET, b.data(), out, sizeof out);
  } else {
    auto b = addr.to_v6().to_bytes();
    inet_ntop(AF_INET6, b.data(), out, sizeof out);
  }
}

// Moves every view of req that points into [old_base, old_base+len) to the same offset from new_base.
void rebase(http::Request& req, const char* old_base, std::size_t len, const char* new_base) {
  auto fix = [&](std::string_view& v) {
    if (v.data() >= old_base && v.data() < old_base + len)
      v = std::string_view(new_base + (v.data() - old_base), v.size());
  };
  fix(req.method_text);
  fix(req.target);
  fix(req.path);
  fix(req.query);
  fix(req.protocol);
  fix(req.host);
  fix(req.port);
  for (auto& h : req.headers) {
    fix(h.name);
    fix(h.value);
  }
}

} // namespace

void ConnectionList::close_all() {
  // shutdown() unlinks the connection only when it is destroyed, so walk a snapshot of the links.
  for (Connection* c = first; c;) {
    Connection* next = c->next_for_list();
    c->shutdown();
    c = next;
  }
}

Connection::Connection(asio::ip::tcp::socket socket, std::shared_ptr<const ConnectionOptions> options,
                       RequestHandler& handler, ConnectionList& list)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), opts_hold_(std::move(options)),
      opts_(*opts_hold_), handler_(handler), list_(list), parser_(&opts_.protocol),
      read_timeouts_(&opts_.request_read) {
  if (auto* ex = socket_.get_executor().target<asio::io_context::executor_type>()) io_ = &ex->context();
  next_ = list_.first;
  if (next_) next_->prev_ = this;
  list_.first = this;
  ++list_.count;
}

Connection::~Connection() {
  if (prev_)
    prev_->next_ = next_;
  else
    list_.first = next_;
  if (next_) next_->prev_ = prev_;
  --list_.count;
  release_exchange_state(std::move(st_));
}

void Connection::start() {
  error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  socket_.non_blocking(true, ec);
  enable_drained_reads(socket_);
  auto remote = socket_.remote_endpoint(ec);
  if (!ec) {
    format_address(remote, remote_ip_);
    peer_.remote_port = remote.port();
  }
  auto local = socket_.local_endpoint(ec);
  if (!ec) {
    format_address(local, local_ip_);
    peer_.local_port = local.port();
  }
  peer_.remote_ip = remote_ip_;
  peer_.local_ip = local_ip_;
  if (opts_.request_read_by_address)
    read_timeouts_ = &opts_.request_read_by_address->for_local(peer_.local_ip, peer_.local_port);
  if (opts_.tls) [[unlikely]]
    if (tls_start()) return; // the handshake comes first
  wait_for_request();
}

void ConnectionList::close_idle() {
  for (Connection* c = first; c;) {
    Connection* next = c->next_for_list();
    c->close_if_idle();
    c = next;
  }
}

void Connection::close_if_idle() {
  if (idle_ && !in_handler_) close();
}

void Connection::shutdown() {
  // self_ may hold the last reference: keep the connection alive until close() has run
  const auto keep = weak_from_this().lock();
  if (!keep) return;
  self_.reset();
  close();
}

void Connection::mark_begin() {
  begin_ = std::chrono::system_clock::now();
  read_stage_.start(read_timeouts_->header, steady_now_coarse()); // RequestReadTimeout header=
}

void Connection::arm_timer(Duration d) {
  timed_out_ = false;
  deadline_ = steady_now_coarse() + d;
  // A pending wait that fires no later than the deadline re-arms itself for the rest then.
  if (timer_pending_ && timer_at_ <= deadline_) return;
  start_timer(deadline_);
}

void Connection::start_timer(TimePoint at) {
  timer_pending_ = true;
  timer_at_ = at;
  timer_.expires_at(at); // a wait still pending completes with operation_aborted and is ignored
  timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec) return; // replaced by a later start_timer(), or cancel_timer()
    self->on_timer();
  });
}

void Connection::on_timer() {
  timer_pending_ = false;
  if (closed_ || deadline_ == TimePoint::max()) return; // nothing waits: the next arm starts a wait
  if (std::chrono::steady_clock::now() < deadline_) return start_timer(deadline_);
  deadline_ = TimePoint::max();
  timed_out_ = true;
  error_code ignored;
  socket_.cancel(ignored);
}

void Connection::cancel_timer() {
  deadline_ = TimePoint::max();
  timer_pending_ = false;
  timer_.cancel();
}

// Idle: no buffer is held until the socket is readable, so an idle keep-alive connection costs only
// this object.
void Connection::wait_for_request() {
  if (closed_) return;
  if (list_.draining) return close(); // graceful stop: no further request on this connection
  idle_ = true;
  if (tls_) [[unlikely]]
    return tls_wait_for_request();
  // (perfproxy) A connection past its second request keeps its exchange state and reads straight
  // into it: Asio's async_wait re-registers the socket with epoll_ctl on every call, while a read
  // after a drained read (async_read_drained) is queued with no system call (one recv per keep-alive
  // request instead of epoll_ctl + recv, or a failed recv + recv). A connection that served one
  // request or none holds no buffer while idle, as before.
  if (served_ > 1 && st_ && st_->in.empty()) {
    arm_timer(Duration(opts_.keep_alive_timeout));
    st_->in.reserve_space(kMinRead);
    async_read_drained(
        socket_, asio::buffer(st_->in.space(), st_->in.space_size()),
        bind_slot(read_slot_, [self = shared_from_this()](const error_code& ec, std::size_t n) {
          self->idle_ = false;
          if (self->closed_) return;
          if (ec || n == 0) return self->close(); // idle timeout or peer gone
          self->st_->in.commit(n);
          self->parser_.reset();
          self->mark_begin();
          self->process_head();
        }));
    return;
  }
  if (st_ && st_->in.empty()) release_exchange_state(std::move(st_));
  arm_timer(served_ == 0 ? Duration(opts_.timeout) : Duration(opts_.keep_alive_timeout));
  socket_.async_wait(
      asio::ip::tcp::socket::wait_read,
      bind_slot(read_slot_, [self = shared_from_this()](const error_code& ec) { self->on_readable(ec); }));
}

void Connection::on_readable(const error_code& ec) {
  idle_ = false;
  if (closed_) return;
  if (ec) return close(); // idle timeout or peer gone: Apache closes without a word
  if (!st_) st_ = acquire_exchange_state();
  st_->in.reserve_space(kMinRead);
  error_code rec;
  std::size_t n = tls_ ? tls_read_now(st_->in.space(), st_->in.space_size(), rec)
                       : socket_.read_some(asio::buffer(st_->in.space(), st_->in.space_size()), rec);
  if (rec == asio::error::would_block || rec == asio::error::try_again) return wait_for_request();
  if (rec || n == 0) return close();
  st_->in.commit(n);
  parser_.reset();
  mark_begin();
  process_head();
}

void Connection::process_head() {
  auto r = parser_.parse(st_->in.begin(), st_->in.size(), st_->request);
  if (r == http::RequestParser::Result::Done) return dispatch();
  if (r == http::RequestParser::Result::Error) {
    const auto& e = parser_.error();
    return send_protocol_error(e.status, e.note, e.expect);
  }
  read_head_more();
}

void Connection::read_head_more() {
  st_->in.reserve_space(kMinRead);
  arm_timer(read_stage_.wait(opts_.timeout, steady_now_coarse()));
  auto done = [self = shared_from_this()](const error_code& ec, std::size_t n) {
    if (self->closed_) return;
    if (ec) {
      // A stalled request line is dropped silently; stalled headers get 408.
      if (self->timed_out_ && !self->parser_.in_request_line()) return self->send_protocol_error(408, {}, {});
      return self->close();
    }
    self->st_->in.commit(n);
    self->read_stage_.received(n);
    self->process_head();
  };
  const auto buf = asio::buffer(st_->in.space(), st_->in.space_size());
  if (tls_) [[unlikely]]
    tls_read(buf, std::move(done));
  else
    async_read_drained(socket_, buf, bind_slot(read_slot_, std::move(done)));
}

void Connection::dispatch() {
  auto& req = st_->request;
  ++served_;
  head_size_ = parser_.head_size();
  bpos_ = head_size_;
  body_limit_ = opts_.limit_request_body;
  body_error_ = 0;
  head_sent_ = chunked_out_ = body_suppressed_ = writing_ = response_done_ = false;
  continue_sent_ = body_wanted_ = delivering_ = reading_body_ = close_after_ = end_by_close_ = false;
  keep_alive_ = false;
  body_done_ = req.body == http::BodyKind::None;
  body_remaining_ = req.body == http::BodyKind::Length ? req.content_length : 0;
  if (req.body == http::BodyKind::Chunked) st_->chunked.reset(0);
  st_->head.clear();
  bytes_out_ = body_out_ = body_in_ = 0;
  write_failed_ = false;
  exchange_open_ = dispatched_ = true;
  self_ = shared_from_this();
  in_handler_ = true;
  read_stage_.start(read_timeouts_->body, steady_now_coarse()); // body=
  disarm_timer();
  CallbackScope scope; // (thread state only: handle() may end the exchange and free the connection)
  handler_.handle(*this);
}

void Connection::set_body_read_timeout(const http::ReadTimeoutStage& stage) {
  if (read_timeouts_->on && !reading_body_) read_stage_.start(stage, steady_now_coarse());
}

// ---- request body -------------------------------------------------------------------------------

void Connection::read_body(BodyCallback cb) {
  body_cb_ = std::move(cb);
  body_wanted_ = true;
  if (delivering_ || reading_body_) return; // the running loop or read completion picks it up
  auto& req = st_->request;
  if (req.expect_continue && !continue_sent_ && !body_done_ && !head_sent_ && !closed_) {
    continue_sent_ = true;
    reading_body_ = true;
    arm_timer(opts_.timeout);
    auto done = [self = shared_from_this()](const error_code& ec, std::size_t) {
      self->reading_body_ = false;
      if (ec) {
        self->broken_ = true;
        self->body_error_ = -1;
      }
      self->pump_body();
    };
    const auto buf = asio::buffer(kContinue.data(), kContinue.size());
    if (tls_) [[unlikely]]
      tls_write(&buf, 1, std::move(done));
    else
      asio::async_write(socket_, buf, std::move(done));
    return;
  }
  pump_body();
}

bool Connection::next_body_piece(BodyPiece& piece) {
  auto& req = st_->request;
  auto& in = st_->in;
  piece = {};
  if (body_error_) {
    piece.error = body_error_;
    return true;
  }
  if (body_done_) {
    piece.end = true;
    return true;
  }
  if (req.body == http::BodyKind::Length) {
    if (body_limit_ && req.content_length > body_limit_) {
      piece.error = body_error_ = 413;
      return true;
    }
    std::size_t avail = in.size() - bpos_;
    if (avail == 0) return false;
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(avail, body_remaining_));
    piece.data = std::span<const char>(in.begin() + bpos_, n);
    bpos_ += n;
    body_remaining_ -= n;
    body_done_ = piece.end = body_remaining_ == 0;
    return true;
  }
  // Chunked.
  if (st_->chunked.total() == 0 && body_limit_) st_->chunked.reset(body_limit_);
  while (true) {
    auto s = st_->chunked.step(std::span<const char>(in.begin() + bpos_, in.size() - bpos_));
    bpos_ += s.consumed;
    switch (s.status) {
    case http::ChunkedDecoder::Status::Data:
      piece.data = s.data;
      return true;
    case http::ChunkedDecoder::Status::Done:
      body_done_ = piece.end = true;
      return true;
    case http::ChunkedDecoder::Status::Error:
      piece.error = body_error_ = st_->chunked.error_status();
      return true;
    case http::ChunkedDecoder::Status::NeedMore:
      return false;
    }
  }
}

void Connection::pump_body() {
  // A loop, not recursion: a handler that asks for the next piece from inside the callback is served
  // by this loop, however many small chunks the buffer holds.
  while (body_wanted_ && !reading_body_) {
    BodyPiece piece;
    const std::size_t before = bpos_;
    const bool got = next_body_piece(piece);
    body_in_ += bpos_ - before;
    if (!got) return read_body_more();
    body_wanted_ = false;
    auto cb = std::move(body_cb_);
    body_cb_ = nullptr;
    delivering_ = true;
    if (cb) {
      CallbackScope scope;
      cb(piece);
    }
    delivering_ = false;
  }
}

void Connection::grow_buffer(std::size_t min_space) {
  auto& in = st_->in;
  const char* old = in.begin();
  std::size_t len = in.size();
  in.reserve_space(min_space);
  if (in.begin() != old) rebase(st_->request, old, len, in.begin());
}

void Connection::read_body_more() {
  auto& in = st_->in;
  // Body bytes already delivered are dropped (the head before them stays in place: the Request points
  // into it); a partial chunk-size line moves down next to the head.
  std::size_t keep = in.size() - bpos_;
  if (bpos_ > head_size_) {
    std::memmove(in.begin() + head_size_, in.begin() + bpos_, keep);
    in.clear();
    in.commit(head_size_ + keep);
    bpos_ = head_size_;
  }
  if (in.space_size() < kMinRead) grow_buffer(kMinRead);
  reading_body_ = true;
  arm_timer(read_stage_.wait(opts_.timeout, steady_now_coarse()));
  auto done = [self = shared_from_this()](const error_code& ec, std::size_t n) {
    self->reading_body_ = false;
    if (ec) {
      self->body_error_ = self->timed_out_ ? 408 : -1;
      self->broken_ = true;
    } else {
      self->st_->in.commit(n);
      self->read_stage_.received(n);
    }
    self->pump_body();
  };
  const auto buf = asio::buffer(in.space(), in.space_size());
  if (tls_) [[unlikely]]
    tls_read(buf, std::move(done));
  else
    async_read_drained(socket_, buf, std::move(done));
}

// ---- response -----------------------------------------------------------------------------------

void Connection::decide_framing(bool last, std::size_t first_size, http::HeadFraming& f) {
  auto& req = st_->request;
  auto& head = st_->head;
  const int status = head.status;
  body_suppressed_ = req.method == http::Method::Head || status == 204 || status == 304 || status < 200;
  bool close = !opts_.keep_alive || !req.keep_alive || req.must_close ||
               http::status_drops_connection(status) || close_after_ || req.http09() || broken_ ||
               body_error_ != 0 || list_.draining ||
               (opts_.max_keep_alive_requests && served_ > opts_.max_keep_alive_requests);
  // Apache closes after a response to "Expect: 100-continue" it did not answer with 100 (a body
  // the client may still send, or none announced; HTTP/1.0 never gets 100).
  if (req.expect_100 && !continue_sent_) close = true;
  if (!head.content_length && !body_suppressed_) {
    if (last)
      head.content_length = first_size;
    else if (req.version() >= 1001)
      head.chunked = chunked_out_ = true;
    else
      close = true; // HTTP/1.0 without a length: the end of the body is the end of the connection
  }
  if (end_by_close_ && !body_suppressed_) [[unlikely]] {
    head.content_length.reset();
    head.chunked = chunked_out_ = false;
    close = true;
  }
  keep_alive_ = !close;
  f.date = http::http_date_now();
  f.server = opts_.server_header;
  if (close) {
    f.connection = http::ConnectionToken::Close;
  } else if (req.keep_alive_sent) {
    f.connection = http::ConnectionToken::KeepAlive;
    f.keep_alive_header = true;
    f.keep_alive_timeout = static_cast<unsigned>(
        std::chrono::duration_cast<std::chrono::seconds>(opts_.keep_alive_timeout).count());
    f.keep_alive_max = opts_.max_keep_alive_requests ? opts_.max_keep_alive_requests - (served_ - 1) : 0;
  }
}

void Connection::write(std::span<const char> data, bool last, WriteCallback done) {
  write(data, last, std::move(done), false);
}

void Connection::write_inline(std::span<const char> data, bool last, WriteCallback done) {
  write(data, last, std::move(done), true);
}

void Connection::write(std::span<const char> data, bool last, WriteCallback done, bool complete_inline) {
  if (closed_ || writing_ || response_done_) {
    if (done) done(false);
    return;
  }
  write_cb_ = std::move(done);
  // TLS encrypts from the connection's buffer asynchronously: it needs the text until then.
  const bool thread_buffer = !tls_;
  std::string& out = thread_buffer ? thread_out() : st_->out;
  out.clear();
  if (!head_sent_) {
    if (!st_->request.http09()) handler_.on_head(*this, st_->head, false);
    http::HeadFraming f;
    decide_framing(last, data.size(), f);
    if (!st_->request.http09()) http::serialize_head(out, st_->head, f);
    head_sent_ = true;
  }
  start_write(out, data, chunked_out_, last, complete_inline);
  // An inline completion may have ended the exchange and freed the connection: only the thread's
  // buffer is touched here (nothing refers to it after start_write).
  if (thread_buffer && out.capacity() > kKeepThreadOut) std::string().swap(out);
}

void Connection::write_interim(std::string_view head, WriteCallback done) {
  if (closed_ || writing_ || response_done_ || head_sent_) {
    if (done) done(false);
    return;
  }
  write_cb_ = std::move(done);
  st_->out.assign(head);
  bytes_out_ += head.size();
  if (head.starts_with("HTTP/1.1 100 ")) continue_sent_ = true; // a relayed 100 is the client's Continue
  writing_ = true;
  arm_timer(opts_.timeout);
  auto written = [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_written(ec); };
  const asio::const_buffer buf = asio::buffer(st_->out);
  if (tls_) [[unlikely]]
    tls_write(&buf, 1, std::move(written));
  else
    asio::async_write(socket_, buf, std::move(written));
}

void Connection::start_write(std::string& out, std::span<const char> data, bool chunk_data, bool last,
                             bool complete_inline) {
  auto& bufs = out_bufs_;
  std::size_t n = 0;
  if (body_suppressed_) data = {};
  if (chunk_data && !data.empty()) {
    out.append(chunk_head_, http::format_chunk_size(data.size(), chunk_head_));
  }
  const bool has_out = !out.empty(); // then bufs[0] is `out`
  if (has_out) bufs[n++] = asio::buffer(out);
  if (!data.empty()) bufs[n++] = asio::buffer(data.data(), data.size());
  body_out_ += data.size();
  if (chunk_data) {
    std::string_view tail =
        !data.empty() ? (last ? kChunkEndAndLast : http::kChunkTail) : (last ? kLastChunkAlone : "");
    if (!tail.empty()) bufs[n++] = asio::buffer(tail.data(), tail.size());
  }
  if (last) response_done_ = true;
  for (std::size_t i = 0; i < n; ++i) bytes_out_ += bufs[i].size();
  writing_ = true;
  arm_timer(opts_.timeout);
  auto done = [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_written(ec); };
  if (tls_) [[unlikely]]
    return tls_write(bufs.data(), n, std::move(done));
  // The socket is non-blocking and a response (head and body) almost always fits its send buffer:
  // one sendmsg here, with Asio's write machinery (write_op, its buffer bookkeeping, a reactor
  // operation) only for what the socket would not take at once. The completion is still posted, as
  // Asio posts a write that completed at once: callers never see their callback run inside write().
  std::size_t sent = 0;
  std::array<iovec, 4> iov;
  for (std::size_t i = 0; i < n; ++i) iov[i] = {const_cast<void*>(bufs[i].data()), bufs[i].size()};
  const auto r = send_now(socket_.native_handle(), std::span<const iovec>(iov.data(), n), sent);
  if (r == SendNow::Done && complete_inline && callbacks_running == 0) {
    // write_inline: the completion now, while this connection and the caller are in cache. The
    // reference keeps the connection alive through on_written (its callback may end the exchange);
    // nothing of it is touched after that. Not under another connection callback: that caller
    // (on_written, handle(), a body piece) still updates the connection's state after its callback.
    auto keep = shared_from_this();
    return on_written({});
  }
  if (r == SendNow::Done || r == SendNow::Failed) {
    error_code ec;
    if (r == SendNow::Failed) ec = error_code(errno, asio::error::get_system_category());
    auto done_now = [self = shared_from_this(), ec] { self->on_written(ec); };
    // The io_context's own executor: posting through the socket's type-erased any_io_executor cost
    // ~280 instructions per request more.
    if (io_) [[likely]]
      asio::post(io_->get_executor(), std::move(done_now));
    else
      asio::post(socket_.get_executor(), std::move(done_now));
    return;
  }
  std::size_t first = 0; // drop what went out; the rest is written asynchronously
  while (first < n && sent >= bufs[first].size()) sent -= bufs[first++].size();
  if (first < n) bufs[first] += sent;
  if (first == 0 && has_out && &out != &st_->out) {
    // the thread's buffer is the next write's: what is left of it moves to the connection's
    st_->out.assign(static_cast<const char*>(bufs[0].data()), bufs[0].size());
    bufs[0] = asio::buffer(st_->out);
  }
  asio::async_write(socket_, std::span<const asio::const_buffer>(bufs.data() + first, n - first),
                    std::move(done));
}

void Connection::on_written(const error_code& ec) {
  writing_ = false;
  if (ec) broken_ = write_failed_ = true;
  auto cb = std::move(write_cb_);
  write_cb_ = nullptr;
  if (cb) {
    CallbackScope scope;
    cb(!ec);
  }
  if (response_done_ && !writing_) finish_response();
}

void Connection::send_error(int status, const http::ErrorPageInfo& given, std::string_view allow) {
  if (closed_ || writing_ || response_done_) return;
  if (head_sent_) {
    // Too late for an error page: the client can only learn of the failure by the connection ending.
    broken_ = true;
    response_done_ = true;
    return finish_response();
  }
  auto& req = st_->request;
  http::ErrorPageInfo info = given;
  if (info.method.empty()) info.method = req.method_text;
  if (info.server_admin.empty()) info.server_admin = page_identity_ ? page_admin_ : opts_.server_admin;
  info.signature = page_identity_ ? page_signature_ : opts_.signature;
  if (info.banner.empty()) info.banner = opts_.server_header;
  if (info.host.empty()) info.host = req.host.empty() ? std::string_view(opts_.server_name) : req.host;
  if (info.port == 80 && !req.port.empty()) {
    unsigned p = 0;
    for (char c : req.port) p = p * 10 + static_cast<unsigned>(c - '0');
    info.port = p;
  }
  status = http::normalize_error_status(status);
  // Apache's error response: the handler's fields are dropped; what survives (Header always, the
  // page's Allow) is added by the handler's head hook and here.
  auto& head = st_->head;
  head.clear();
  head.status = status;
  head.reason = info.reason;
  if (!allow.empty()) head.add("Allow", allow);
  if (!req.http09()) handler_.on_head(*this, head, true);
  head.set_content_type("text/html; charset=iso-8859-1");
  http::HeadFraming f;
  decide_framing(true, 1, f);
  head.content_length.reset();
  head.chunked = false;
  chunked_out_ = false;
  st_->out.clear();
  if (req.http09()) {
    http::append_error_body(st_->out, status, info);
    body_out_ = st_->out.size();
  } else if (req.method == http::Method::Head) {
    http::serialize_head(st_->out, head, f);
  } else {
    http::append_error_body(st_->out, status, info);
    body_out_ = st_->out.size();
    // Apache ends its page for a bad request body (400 bad chunk, 413 too large) by closing
    // (and so its ErrorDocument URL's 302: end_response_by_close)
    if (!end_by_close_ && !(status == body_error_ && (status == 400 || status == 413)))
      head.content_length = st_->out.size();
    std::string head_text;
    http::serialize_head(head_text, head, f);
    st_->out.insert(0, head_text);
  }
  head_sent_ = true;
  body_suppressed_ = true; // the page is already in out
  write_cb_ = nullptr;
  start_write(st_->out, {}, false, true);
}

// A request that never reached a handler: Apache's page, then close.
void Connection::send_protocol_error(int status, std::string_view note, std::string_view expect) {
  auto& req = st_->request;
  bytes_out_ = body_out_ = body_in_ = 0;
  write_failed_ = false;
  ++served_;
  http::ErrorPageInfo info;
  info.note = note;
  info.expect = expect;
  info.signature = opts_.signature;
  info.banner = opts_.server_header;
  info.server_admin = opts_.server_admin;
  info.host = opts_.server_name;
  info.method = req.method_text;
  http::ErrorResponseOptions o;
  o.framing.date = http::http_date_now();
  o.framing.server = opts_.server_header;
  o.framing.connection = http::ConnectionToken::Close;
  if (status == 417) {
    // Apache's 417 carries the Connection/Keep-Alive headers a normal answer to the request would,
    // yet the connection is closed after it.
    st_->head.clear();
    st_->head.status = status;
    o.framing.connection = http::ConnectionToken::None;
    decide_framing(true, 0, o.framing);
  }
  st_->out.clear();
  http::append_error_response(st_->out, status, info, o, st_->head);
  if (st_->head.content_length) body_out_ = *st_->head.content_length;
  head_sent_ = body_suppressed_ = true;
  keep_alive_ = false;
  broken_ = true;
  bpos_ = 0;
  exchange_open_ = true;
  dispatched_ = false;
  self_ = shared_from_this();
  in_handler_ = false;
  write_cb_ = nullptr;
  start_write(st_->out, {}, false, true);
}

void Connection::abort_connection() {
  if (closed_ || writing_ || response_done_ || head_sent_) return;
  broken_ = true;
  response_done_ = true;
  finish_response();
}

void Connection::finish_response() {
  disarm_timer();
  report_finished(false);
  if (!keep_alive_ || broken_ || closed_) {
    linger();
    self_.reset();
    return;
  }
  if (!body_done_) return drain_body();
  next_request();
}

// Reads and drops the rest of a request body the handler did not want, as Apache does before
// reusing the connection.
void Connection::drain_body() {
  read_body([this](const BodyPiece& piece) {
    if (piece.error) {
      broken_ = true;
      linger();
      self_.reset();
      return;
    }
    if (piece.end) return next_request();
    drain_body();
  });
}

void Connection::next_request() {
  auto keep = std::move(self_); // the handler is done with the exchange
  in_handler_ = false;
  st_->in.consume(bpos_);
  bpos_ = head_size_ = 0;
  if (opts_.max_keep_alive_requests && served_ > opts_.max_keep_alive_requests) return close();
  // The parser is reset where the next request's bytes arrive (on_readable, the drained read), not
  // here as well: its lines are cold by then at many connections.
  if (st_->in.empty()) return wait_for_request();
  // A pipelined request is already here.
  parser_.reset();
  mark_begin();
  process_head();
}

// ---- the access log's view --------------------------------------------------------------------

// The request line as Apache logs it (r->the_request): as received up to the line end, with runs of
// blanks between the words reduced to one (Apache rebuilds the line so); a bare LF that the strict
// parser refused stays in it.
std::string_view Connection::log_request_line() {
  const auto& req = st_->request;
  if (dispatched_ && !req.method_text.empty()) {
    const char* from = req.method_text.data();
    std::string_view last = req.protocol.empty() ? req.target : req.protocol;
    const char* to = last.data() + last.size();
    if (to > from && static_cast<std::size_t>(to - from) <= st_->in.size() &&
        std::string_view(from, static_cast<std::size_t>(to - from)).find("  ") == std::string_view::npos)
      return std::string_view(from, static_cast<std::size_t>(to - from));
  }
  thread_local std::string line;
  line.clear();
  std::string_view raw(st_->in.begin(), st_->in.size());
  while (!raw.empty() && (raw.front() == '\r' || raw.front() == '\n')) raw.remove_prefix(1);
  const std::size_t eol = raw.find('\n');
  std::string_view text = raw.substr(0, eol);
  const bool bare_lf = eol != std::string_view::npos && (text.empty() || text.back() != '\r');
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  const std::size_t cap = opts_.protocol.limit_request_line ? opts_.protocol.limit_request_line : 8190;
  if (text.size() > cap) text = text.substr(0, cap);
  bool blank = false;
  for (char c : text) {
    if (c == ' ' || c == '\t') {
      blank = true;
      continue;
    }
    if (blank && !line.empty()) line.push_back(' ');
    blank = false;
    line.push_back(c);
  }
  if (bare_lf && !dispatched_) line.push_back('\n');
  return line;
}

void Connection::report_finished(bool aborted) {
  if (!exchange_open_ || !st_) return;
  exchange_open_ = false;
  ExchangeOutcome o;
  o.status = st_->head.status;
  o.body_bytes = body_out_;
  o.bytes_out = bytes_out_;
  o.bytes_in = (dispatched_ ? head_size_ : parser_.head_size()) + body_in_;
  const bool incomplete = !response_done_ || write_failed_ || (aborted && writing_);
  o.connection_status = incomplete ? 'X' : (keep_alive_ && !broken_ ? '+' : '-');
  o.dispatched = dispatched_;
  o.request_line = log_request_line();
  o.begin = begin_;
  o.keepalives = served_ > 0 ? served_ - 1 : 0;
  handler_.finished(*this, o);
  handler_state_ = nullptr;
  page_identity_ = false;
}

// ---- closing ------------------------------------------------------------------------------------

void Connection::linger() {
  if (closed_) return;
  if (tls_) tls_->close_notify();
  error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) return close();
  arm_timer(kLingerTime);
  linger_read();
}

void Connection::linger_read() {
  socket_.async_read_some(asio::buffer(scratch),
                          [self = shared_from_this()](const error_code& e, std::size_t) {
                            if (e || self->closed_) return self->close();
                            self->linger_read();
                          });
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  report_finished(true);
  error_code ec;
  cancel_timer();
  socket_.close(ec);
  body_cb_ = nullptr;
}

} // namespace balancerd::net
