// Connection's TLS side: the handshake and the reads and writes of a TLS connection, done through
// TlsSession on the non-blocking socket with the connection's own reactor waits.
#include <boost/asio/post.hpp>

#include "server/net/connection.hpp"
#include "server/net/exchange_state.hpp"
#include "server/net/tls_context.hpp"
#include "server/net/tls_session.hpp"

namespace balancerd::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// mod_ssl's answer to a client speaking plain HTTP to a TLS port (the 400 page's reason).
constexpr std::string_view kPlainHttpNote = "Reason: You're speaking plain HTTP to an SSL-enabled server "
                                            "port.<br />\n Instead use the HTTPS scheme to "
                                            "access this URL, please.<br />\n";

} // namespace

struct Connection::TlsWrite {
  std::array<asio::const_buffer, 4> bufs{};
  std::size_t count = 0, index = 0, offset = 0, total = 0;
  IoHandler done;
};

bool Connection::tls_start() {
  const TlsBinding binding = opts_.tls->for_local(peer_.local_ip, peer_.local_port);
  if (!binding) return false;
  tls_ = std::make_unique<TlsSession>(binding, socket_.native_handle());
  arm_timer(opts_.timeout); // mod_ssl's handshake is bounded by Timeout
  tls_handshake_step();
  return true;
}

void Connection::tls_handshake_step() {
  if (closed_) return;
  const auto r = tls_->handshake();
  if (r == TlsSession::Io::Ok) {
    disarm_timer();
    peer_.tls = &tls_->facts();
    return wait_for_request();
  }
  if (r == TlsSession::Io::WantRead || r == TlsSession::Io::WantWrite) {
    const auto what =
        r == TlsSession::Io::WantRead ? asio::ip::tcp::socket::wait_read : asio::ip::tcp::socket::wait_write;
    socket_.async_wait(what, [self = shared_from_this()](const error_code& ec) {
      if (self->closed_) return;
      if (ec) return self->close(); // handshake timeout or the client went away
      self->tls_handshake_step();
    });
    return;
  }
  opts_.tls->log_handshake_failure(tls_->server(), peer_.remote_ip, peer_.remote_port, tls_->plain_http(),
                                   tls_->failure());
  if (tls_->plain_http()) {
    // As mod_ssl: the 400 page in plaintext, then close.
    tls_.reset();
    if (!st_) st_ = acquire_exchange_state();
    parser_.reset();
    mark_begin();
    return send_protocol_error(400, kPlainHttpNote, {});
  }
  close();
}

void Connection::tls_wait_for_request() {
  if (st_ && st_->in.empty() && served_ <= 1) release_exchange_state(std::move(st_));
  arm_timer(served_ == 0 ? Duration(opts_.timeout) : Duration(opts_.keep_alive_timeout));
  if (tls_->has_buffered()) {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->on_readable({}); });
    return;
  }
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](const error_code& ec) { self->on_readable(ec); });
}

std::size_t Connection::tls_read_now(char* buf, std::size_t len, error_code& ec) {
  std::size_t n = 0;
  switch (tls_->read(buf, len, n)) {
  case TlsSession::Io::Ok:
    ec = {};
    return n;
  case TlsSession::Io::WantRead:
  case TlsSession::Io::WantWrite:
    ec = asio::error::would_block;
    return 0;
  case TlsSession::Io::Closed:
    ec = asio::error::eof;
    return 0;
  case TlsSession::Io::Failed:
    break;
  }
  ec = asio::error::connection_reset;
  return 0;
}

void Connection::tls_read(asio::mutable_buffer buf, IoHandler done) {
  std::size_t n = 0;
  const auto r = tls_->read(static_cast<char*>(buf.data()), buf.size(), n);
  if (r == TlsSession::Io::WantRead || r == TlsSession::Io::WantWrite) {
    const auto what =
        r == TlsSession::Io::WantRead ? asio::ip::tcp::socket::wait_read : asio::ip::tcp::socket::wait_write;
    socket_.async_wait(
        what, [self = shared_from_this(), buf, done = std::move(done)](const error_code& ec) mutable {
          if (ec || self->closed_ || !self->tls_) return done(ec ? ec : asio::error::operation_aborted, 0);
          self->tls_read(buf, std::move(done));
        });
    return;
  }
  error_code ec;
  if (r == TlsSession::Io::Closed)
    ec = asio::error::eof;
  else if (r == TlsSession::Io::Failed)
    ec = asio::error::connection_reset;
  // Completion is never inline (as with Asio's own reads): callers set state after starting a read.
  asio::post(socket_.get_executor(), [done = std::move(done), ec, n] { done(ec, n); });
}

void Connection::tls_write(const asio::const_buffer* bufs, std::size_t n, IoHandler done) {
  auto w = std::make_shared<TlsWrite>();
  for (std::size_t i = 0; i < n && w->count < w->bufs.size(); ++i)
    if (bufs[i].size()) w->bufs[w->count++] = bufs[i];
  w->done = std::move(done);
  tls_write_step(std::move(w));
}

void Connection::tls_write_step(std::shared_ptr<TlsWrite> w) {
  while (w->index < w->count) {
    if (closed_ || !tls_) break;
    const auto& b = w->bufs[w->index];
    std::size_t n = 0;
    const auto r = tls_->write(static_cast<const char*>(b.data()) + w->offset, b.size() - w->offset, n);
    if (r == TlsSession::Io::Ok) {
      w->offset += n;
      w->total += n;
      if (w->offset == b.size()) {
        ++w->index;
        w->offset = 0;
      }
      continue;
    }
    if (r == TlsSession::Io::WantRead || r == TlsSession::Io::WantWrite) {
      const auto what = r == TlsSession::Io::WantWrite ? asio::ip::tcp::socket::wait_write
                                                       : asio::ip::tcp::socket::wait_read;
      socket_.async_wait(what, [self = shared_from_this(), w](const error_code& ec) mutable {
        if (ec) {
          auto done = std::move(w->done);
          return done(ec, w->total);
        }
        self->tls_write_step(std::move(w));
      });
      return;
    }
    break; // failed
  }
  const error_code ec = w->index < w->count ? error_code(asio::error::broken_pipe) : error_code();
  asio::post(socket_.get_executor(), [w, ec] {
    auto done = std::move(w->done);
    done(ec, w->total);
  });
}

} // namespace balancerd::net
