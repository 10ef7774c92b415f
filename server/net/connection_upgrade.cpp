// Connection::upgrade: after a protocol switch (a proxied 101) the connection stops speaking HTTP and
// becomes a plain byte stream for mod_proxy's tunnel. The exchange stays open (in the handler, so a
// graceful stop lets it run) until the tunnel closes it; the access log then counts every byte.
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <memory>

#include "server/net/connection.hpp"
#include "server/net/tls_session.hpp"

namespace balancerd::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
constexpr std::size_t kRawBuffer = 16384;
} // namespace

struct Connection::Upgraded final : RawStream, std::enable_shared_from_this<Upgraded> {
  explicit Upgraded(Connection& c) : conn(c), buf(new char[kRawBuffer]) {}

  void read_some(ReadCallback cb) override {
    auto keep = conn.shared_from_this();
    auto self = shared_from_this();
    auto& in = conn.st_->in;
    if (conn.closed_ || conn.bpos_ < in.size()) {
      // Bytes the client sent right after the request (they are in the request buffer), or the
      // connection is already gone: answered from the event loop, never from inside this call.
      std::span<const char> data;
      if (!conn.closed_) {
        data = std::span<const char>(in.begin() + conn.bpos_, in.size() - conn.bpos_);
        conn.body_in_ += data.size();
        conn.bpos_ = in.size();
      }
      read_cb = std::move(cb);
      asio::post(conn.socket_.get_executor(), [keep, self, data] {
        auto cb = std::move(self->read_cb);
        self->read_cb = nullptr;
        if (cb) cb(!data.empty(), data);
      });
      return;
    }
    read_cb = std::move(cb);
    auto got = [keep, self](const error_code& ec, std::size_t n) {
      auto cb = std::move(self->read_cb);
      self->read_cb = nullptr;
      if (!cb) return; // closed by the tunnel
      if (ec || n == 0) return cb(false, {});
      keep->body_in_ += n;
      cb(true, std::span<const char>(self->buf.get(), n));
    };
    if (conn.tls_) [[unlikely]]
      conn.tls_read(asio::buffer(buf.get(), kRawBuffer), std::move(got));
    else
      conn.socket_.async_read_some(asio::buffer(buf.get(), kRawBuffer), std::move(got));
  }

  void write(std::span<const char> data, WriteCallback done) override {
    auto keep = conn.shared_from_this();
    auto self = shared_from_this();
    write_cb = std::move(done);
    auto wrote = [keep, self](const error_code& ec, std::size_t n) {
      keep->bytes_out_ += n;
      if (ec) keep->write_failed_ = true;
      auto cb = std::move(self->write_cb);
      self->write_cb = nullptr;
      if (cb) cb(!ec);
    };
    const asio::const_buffer out(data.data(), data.size());
    if (conn.tls_) [[unlikely]]
      conn.tls_write(&out, 1, std::move(wrote));
    else
      asio::async_write(conn.socket_, out, std::move(wrote));
  }

  void shutdown_send() override {
    if (conn.tls_) conn.tls_->close_notify();
    error_code ec;
    conn.socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  }

  void close() override {
    read_cb = nullptr;
    write_cb = nullptr;
    auto keep = conn.shared_from_this(); // self_ may hold the last reference
    conn.close();
    conn.self_.reset();
  }

  Connection& conn;
  std::unique_ptr<char[]> buf;
  ReadCallback read_cb;
  WriteCallback write_cb;
};

void Connection::upgrade(int status, std::string_view head, std::function<void(RawStream*)> done) {
  if (closed_ || writing_ || response_done_ || head_sent_) {
    // Gone, or a response is already under way: nothing to hand over; end the exchange.
    if (!closed_ && !writing_ && !response_done_) {
      broken_ = true;
      response_done_ = true;
      finish_response();
    }
    return done(nullptr);
  }
  cancel_timer(); // the tunnel keeps the idle timer from now on
  st_->head.status = status;
  head_sent_ = body_suppressed_ = response_done_ = true;
  keep_alive_ = false;
  upgraded_ = std::make_shared<Upgraded>(*this);
  if (head.empty()) { // an HTTP/1.0 client gets no 101 head
    auto self = shared_from_this();
    asio::post(socket_.get_executor(),
               [self, done = std::move(done)] { done(self->closed_ ? nullptr : self->upgraded_.get()); });
    return;
  }
  st_->out.assign(head);
  bytes_out_ += head.size();
  auto sent = [self = shared_from_this(), done = std::move(done)](const error_code& ec, std::size_t) {
    if (self->closed_) return done(nullptr);
    if (ec) {
      self->write_failed_ = self->broken_ = true;
      self->upgraded_->close();
      return done(nullptr);
    }
    done(self->upgraded_.get());
  };
  const asio::const_buffer out = asio::buffer(st_->out);
  if (tls_) [[unlikely]]
    tls_write(&out, 1, std::move(sent));
  else
    asio::async_write(socket_, out, std::move(sent));
}

} // namespace balancerd::net
