#include "server/backend/backend_connection.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "server/backend/pooled_read.hpp"
#include "server/net/buffer_pool.hpp"
#include "server/net/send_now.hpp"

namespace balancerd::backend {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

std::atomic<std::uint64_t> next_connection_id{1};

// ProxySourceAddress: binds `fd` to `source` (port 0) in the address family of the connect. An IP
// literal is parsed in place; a name is resolved here (blocking, as apache2 resolves it once at config
// time: names are rare for a source address).
bool bind_source(int fd, int family, const std::string& source) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    if (::inet_pton(AF_INET, source.c_str(), &s4->sin_addr) == 1) len = sizeof(sockaddr_in);
  } else if (family == AF_INET6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    if (::inet_pton(AF_INET6, source.c_str(), &s6->sin6_addr) == 1) len = sizeof(sockaddr_in6);
  }
  if (len == 0) {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(source.c_str(), nullptr, &hints, &res) != 0 || !res) return false;
    std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
    len = static_cast<socklen_t>(res->ai_addrlen);
    ::freeaddrinfo(res);
  }
  return ::bind(fd, reinterpret_cast<const sockaddr*>(&ss), len) == 0;
}

BackendError connect_error(const error_code& ec) {
  if (ec == asio::error::connection_refused || ec == asio::error::not_found ||
      ec == boost::system::errc::no_such_file_or_directory)
    return BackendError::Refused;
  if (ec == asio::error::timed_out) return BackendError::ConnectTimeout;
  return BackendError::ConnectFailed;
}

BackendError io_error(const error_code& ec) {
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return BackendError::Eof;
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::connection_aborted)
    return BackendError::Reset;
  if (ec == asio::error::timed_out) return BackendError::Timeout;
  if (ec == asio::error::operation_aborted) return BackendError::Aborted;
  return BackendError::Io;
}

// Memory for one asynchronous operation at a time, kept in the connection. A write's operation
// (~530 bytes) did not fit Asio's per-thread recycling cache while hundreds of writes were queued at
// once, so every write freed and aligned-allocated a block (~640 instructions and ~15 cache misses
// per proxied request at 512 connections). A second operation while the slot is taken (TLS may
// nest them), a bigger or over-aligned one, falls back to the heap.
class OpMemory {
public:
  void* allocate(std::size_t size, std::size_t align) {
    if (in_use_ || size > sizeof storage_ || align > alignof(std::max_align_t))
      return ::operator new(size, std::align_val_t(align));
    in_use_ = true;
    return storage_;
  }
  void deallocate(void* p, std::size_t align) noexcept {
    if (p == storage_) {
      in_use_ = false;
    } else {
      ::operator delete(p, std::align_val_t(align));
    }
  }

private:
  alignas(std::max_align_t) unsigned char storage_[640];
  bool in_use_ = false;
};

// The allocator associated with a handler whose operations use an OpMemory.
template <class T> struct OpAllocator {
  using value_type = T;
  OpMemory* memory;
  explicit OpAllocator(OpMemory& m) noexcept : memory(&m) {}
  template <class U> OpAllocator(const OpAllocator<U>& o) noexcept : memory(o.memory) {}
  T* allocate(std::size_t n) { return static_cast<T*>(memory->allocate(sizeof(T) * n, alignof(T))); }
  void deallocate(T* p, std::size_t) noexcept { memory->deallocate(p, alignof(T)); }
  template <class U> bool operator==(const OpAllocator<U>& o) const noexcept { return memory == o.memory; }
};

} // namespace

// The connection's socket and timer run on an io_context: its own executor type rather than the
// type-erased any_io_executor (88 -> 40 bytes of socket, and no type-erased call per operation).
using Socket = asio::basic_stream_socket<asio::generic::stream_protocol, asio::io_context::executor_type>;
using Timer =
    asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>,
                               asio::io_context::executor_type>;

// Allocates on a cache line boundary, for the Impl below: its control block and the fields every
// request touches then fill three whole lines instead of straddling four or five.
template <class T> struct LineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kLine{64};
  LineAllocator() noexcept = default;
  template <class U> LineAllocator(const LineAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kLine)); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, kLine); }
  template <class U> bool operator==(const LineAllocator<U>&) const noexcept { return true; }
};

// Shared with the pending handlers, so a connection destroyed mid-operation leaves them a valid
// object to finish on; `orphaned` then keeps them from calling back into the owner that is gone.
struct BackendConnection::Impl : std::enable_shared_from_this<BackendConnection::Impl> {
  using SteadyClock = std::chrono::steady_clock;
  static constexpr SteadyClock::time_point kNever = SteadyClock::time_point::max();

  Impl(asio::io_context& io, std::size_t buffer_size)
      : buffer_size(static_cast<std::uint32_t>(
            std::min<std::size_t>(buffer_size ? buffer_size : net::BufferPool::kCommonSize, UINT32_MAX))),
        socket(io), timer(io) {}

  // Fields are ordered by use, in 64-byte lines (the Impl follows its 16-byte control block in a
  // line-aligned allocation, see LineAllocator): at 512 connections a connection's lines are cold
  // whenever its next request or response comes, and each line touched is a cache miss. A request
  // (peer_closed, write_inline, read_some) and a response (the read's completion, watch_idle) each
  // touch the first three lines only; what only a connect, a TLS handshake, an asynchronous write or
  // a timeout uses comes after them.
  // Line 0, with the control block and the weak reference before it: the flags, the write count,
  // the deadline.
  bool read_pending = false; // a read is in progress (read_some() or watch_idle())
  bool has_result = false;   // its result is kept (result_*) until someone asks for it
  bool orphaned = false;
  bool timed_out = false;
  bool close_on_expiry = false;
  std::uint32_t buffer_size; // ProxyIOBufferSize (iobuffersize=)
  std::uint64_t written_total = 0;
  // The timeout of the current operation is a deadline checked by one timer wait that is left
  // running: arming and disarming per read or write only store a time (re-arming an Asio timer for
  // every operation cost a heap update and a cancelled handler each time). The wait fires at the
  // latest deadline it was started for and re-waits if the deadline moved later.
  SteadyClock::time_point deadline = kNever;

  // Line 1: the socket, the read buffer, the TLS stream (https only, out of line).
  Socket socket;
  // The read buffer, borrowed from the thread's pool when a read finds bytes to take and given back
  // when the connection goes idle (or a read finds none): a connection waiting for its backend or
  // idle in a pool holds none.
  net::IoBuffer buffer;
  using TlsStream = asio::ssl::stream<Socket&>;
  std::unique_ptr<TlsStream> tls;

  // Line 2: who waits for the read, the read count, the timeout and the running wait.
  ReadCallback read_cb; // who waits for the read in progress
  std::uint64_t read_total = 0;
  std::chrono::milliseconds io_timeout{60000};
  SteadyClock::time_point timer_expiry = kNever; // when the running wait fires (kNever: none)
  std::size_t result_n = 0;                      // a read's result nobody asked for yet (has_result)
  error_code result_ec;

  // Rarely touched: an asynchronous write's state, the timer itself (a wait runs per deadline
  // period, not per operation), the peer, the connect state.
  WriteCallback write_cb;                      // a write sent at once, until its posted completion runs
  std::array<asio::const_buffer, 16> pieces{}; // a write's pieces (the first few are used)
  OpMemory write_memory;                       // the write's operation (one write at a time)
  Timer timer;
  ResolvedAddress peer;
  std::vector<ResolvedAddress> addresses;
  std::size_t next = 0;
  ConnectOptions options;
  ConnectCallback connect_cb;
  BackendError last_error = BackendError::ConnectFailed;

  void connected() {
    if (options.tls) return start_tls();
    auto cb = std::move(connect_cb);
    connect_cb = nullptr;
    if (cb) cb(BackendError::None);
  }

  void start_tls() {
    tls = std::make_unique<TlsStream>(socket, *static_cast<asio::ssl::context*>(options.tls->native()));
    error_code ec;
    asio::ip::make_address(options.tls_host, ec);
    const bool ip_literal = !ec;
    if (!ip_literal) SSL_set_tlsext_host_name(tls->native_handle(), options.tls_host.c_str());
    arm(options.connect_timeout, true);
    tls->async_handshake(asio::ssl::stream_base::client,
                         [self = shared_from_this(), ip_literal](const error_code& ec) {
                           self->disarm();
                           if (self->orphaned) return;
                           BackendError e = BackendError::None;
                           if (ec) {
                             e = self->timed_out ? BackendError::ConnectTimeout : BackendError::Tls;
                           } else if (!self->peer_acceptable(ip_literal)) {
                             e = BackendError::Tls;
                           }
                           if (e != BackendError::None) {
                             error_code ignored;
                             self->socket.close(ignored);
                           }
                           auto cb = std::move(self->connect_cb);
                           self->connect_cb = nullptr;
                           if (cb) cb(e);
                         });
  }

  // SSLProxyCheckPeerExpire / SSLProxyCheckPeerName, checked whatever SSLProxyVerify says (as mod_ssl).
  bool peer_acceptable(bool ip_literal) {
    const auto& o = options.tls->options();
    if (!o.check_peer_expire && !o.check_peer_name) return true;
    X509* cert = SSL_get1_peer_certificate(tls->native_handle());
    if (!cert) return false;
    bool ok = true;
    if (o.check_peer_expire)
      ok = X509_cmp_current_time(X509_get0_notBefore(cert)) < 0 &&
           X509_cmp_current_time(X509_get0_notAfter(cert)) > 0;
    if (ok && o.check_peer_name) {
      ok = ip_literal
               ? X509_check_ip_asc(cert, options.tls_host.c_str(), 0) == 1
               : X509_check_host(cert, options.tls_host.data(), options.tls_host.size(), 0, nullptr) == 1;
    }
    X509_free(cert);
    return ok;
  }

  void arm(std::chrono::milliseconds t, bool close) {
    timed_out = false;
    if (t.count() <= 0) {
      deadline = kNever;
      return;
    }
    deadline = SteadyClock::now() + t;
    close_on_expiry = close;
    if (timer_expiry <= deadline) return; // the running wait fires first and re-waits
    start_wait(deadline);
  }
  void disarm() noexcept { deadline = kNever; }

  void start_wait(SteadyClock::time_point at) {
    timer_expiry = at;
    timer.expires_at(at); // cancels a later wait (its handler sees operation_aborted)
    timer.async_wait([self = shared_from_this()](const error_code& ec) {
      if (ec) return; // replaced by an earlier wait, or cancelled by close()
      self->timer_expiry = kNever;
      self->on_timer();
    });
  }

  void on_timer() {
    if (deadline == kNever || !socket.is_open()) return;
    if (SteadyClock::now() < deadline) return start_wait(deadline);
    deadline = kNever;
    timed_out = true;
    error_code ignored;
    if (close_on_expiry) {
      socket.close(ignored);
    } else {
      socket.cancel(ignored);
    }
  }

  void stop_timer() noexcept {
    deadline = kNever;
    if (timer_expiry == kNever) return;
    timer_expiry = kNever;
    timer.cancel(); // releases the handler's reference now
  }

  // async_read_pooled's buffer source.
  asio::mutable_buffer acquire_read_buffer() {
    if (!buffer) buffer = net::borrow_io_buffer(buffer_size);
    return asio::mutable_buffer(buffer.data(), buffer.size());
  }
  void read_buffer_unused() noexcept { buffer.reset(); }

  void start_read() {
    read_pending = true;
    auto done = [self = shared_from_this()](const error_code& ec, std::size_t n) { self->read_done(ec, n); };
    if (tls) {
      tls->async_read_some(acquire_read_buffer(), std::move(done));
    } else {
      // Right after a request went out its answer is rarely there yet: after the last response drained
      // the socket, this read waits for readiness instead of failing a recv with EAGAIN first; the
      // buffer is taken only when bytes are there.
      async_read_pooled(socket, *this, std::move(done));
    }
  }

  void read_done(const error_code& ec, std::size_t n) {
    read_pending = false;
    read_total += n;
    if (orphaned) return;
    if (!read_cb) {
      // Nobody waits (an idle watch, or the answer came before the owner asked for it): keep it for
      // peer_closed() and the next read_some(). A cancel meant for another operation is not a result.
      if (ec == asio::error::operation_aborted && n == 0 && socket.is_open()) return;
      has_result = true;
      result_ec = ec;
      result_n = n;
      return;
    }
    disarm();
    auto cb = std::move(read_cb);
    read_cb = nullptr;
    deliver(cb, ec, n);
  }

  void deliver(const ReadCallback& cb, const error_code& ec, std::size_t n) {
    if (ec && n == 0) {
      cb(timed_out ? BackendError::Timeout : io_error(ec), {});
      return;
    }
    cb(BackendError::None, std::span<const char>(buffer.data(), n));
  }

  void try_next() {
    if (next >= addresses.size()) {
      auto cb = std::move(connect_cb);
      connect_cb = nullptr;
      if (!orphaned && cb) cb(last_error);
      return;
    }
    const ResolvedAddress& a = addresses[next++];
    error_code ec;
    tls.reset();
    if (socket.is_open()) socket.close(ec);
    const int proto = a.family() == AF_UNIX ? 0 : IPPROTO_TCP;
    socket.open(asio::generic::stream_protocol(a.family(), proto), ec);
    if (ec) {
      last_error = BackendError::ConnectFailed;
      return try_next();
    }
    if (a.family() != AF_UNIX && !options.source_address.empty() &&
        !bind_source(socket.native_handle(), a.family(), options.source_address)) {
      last_error = BackendError::ConnectFailed;
      return try_next();
    }
    if (a.family() != AF_UNIX) {
      socket.set_option(asio::ip::tcp::no_delay(true), ec);
      if (options.tcp_keepalive) socket.set_option(asio::socket_base::keep_alive(true), ec);
      net::enable_drained_reads(socket);
    }
    if (options.receive_buffer_size)
      socket.set_option(asio::socket_base::receive_buffer_size(static_cast<int>(options.receive_buffer_size)),
                        ec);
    peer = a;
    arm(options.connect_timeout, true);
    socket.async_connect(asio::generic::stream_protocol::endpoint(&a.storage, a.length),
                         [self = shared_from_this()](const error_code& ec) {
                           self->disarm();
                           if (self->orphaned) return;
                           if (!ec && self->socket.is_open()) return self->connected();
                           self->last_error =
                               self->timed_out ? BackendError::ConnectTimeout : connect_error(ec);
                           self->try_next();
                         });
  }
};

BackendConnection::BackendConnection(asio::io_context& io, std::size_t read_buffer_size)
    : impl_(std::allocate_shared<Impl>(LineAllocator<Impl>(), io, read_buffer_size)),
      id_(next_connection_id.fetch_add(1)) {
  created = std::chrono::steady_clock::now();
}

BackendConnection::~BackendConnection() {
  impl_->orphaned = true;
  impl_->connect_cb = nullptr;
  close();
}

void BackendConnection::connect(std::span<const ResolvedAddress> addresses, const ConnectOptions& opt,
                                ConnectCallback cb) {
  auto& s = *impl_;
  s.options = opt;
  s.io_timeout = opt.io_timeout;
  s.addresses.assign(addresses.begin(), addresses.end());
  s.next = 0;
  s.last_error = addresses.empty() ? BackendError::Resolve : BackendError::ConnectFailed;
  s.connect_cb = std::move(cb);
  s.try_next();
}

void BackendConnection::write(std::span<const std::span<const char>> pieces, WriteCallback cb) {
  write(pieces, std::move(cb), false);
}

void BackendConnection::write_inline(std::span<const std::span<const char>> pieces, WriteCallback cb) {
  write(pieces, std::move(cb), true);
}

void BackendConnection::write(std::span<const std::span<const char>> pieces, WriteCallback cb,
                              bool complete_inline) {
  auto& s = *impl_;
  pieces = pieces.first(std::min(pieces.size(), s.pieces.size()));
  std::size_t first = 0; // the pieces (and the part of pieces[first]) still to write
  std::size_t skip = 0;
  std::size_t sent_at_once = 0;
  if (!s.tls && s.socket.is_open()) [[likely]] {
    // A request head (and most bodies) fits the socket's send buffer: one sendmsg here, with Asio's
    // write machinery (its operation, ~530 bytes of cold connection memory at 512 connections, and
    // a reactor operation) only for what the socket would not take at once. As before, the
    // completion is posted (callers never see their callback run inside write()), a finished write
    // clears the deadline and a failure is the error the asynchronous write would have reported.
    std::size_t sent = 0;
    std::array<iovec, 16> iov;
    for (std::size_t i = 0; i < pieces.size(); ++i)
      iov[i] = {const_cast<char*>(pieces[i].data()), pieces[i].size()};
    const auto r =
        net::send_now(s.socket.native_handle(), std::span<const iovec>(iov.data(), pieces.size()), sent);
    if (r == net::SendNow::Done && complete_inline) {
      // What the posted completion below does, now; the callback last (it may end the connection).
      s.timed_out = false;
      s.disarm();
      s.written_total += sent;
      return cb(BackendError::None, sent);
    }
    if (r == net::SendNow::Done || r == net::SendNow::Failed) {
      s.timed_out = false;
      error_code ec;
      if (r == net::SendNow::Failed) ec = error_code(errno, asio::error::get_system_category());
      s.write_cb = std::move(cb);
      asio::post(s.socket.get_executor(), [self = impl_, ec, sent] {
        self->disarm();
        self->written_total += sent;
        auto done = std::move(self->write_cb);
        self->write_cb = nullptr;
        if (self->orphaned || !done) return;
        done(ec ? io_error(ec) : BackendError::None, sent);
      });
      return;
    }
    sent_at_once = sent;
    while (first < pieces.size() && sent >= pieces[first].size()) sent -= pieces[first++].size();
    skip = sent;
  }
  const std::size_t n = pieces.size() - first;
  for (std::size_t i = 0; i < n; ++i)
    s.pieces[i] = asio::const_buffer(pieces[first + i].data(), pieces[first + i].size());
  if (n > 0) s.pieces[0] += skip;
  // The operation refers to the n pieces where they are (Impl outlives it) rather than copying all 16
  // slots into itself (the operation allocated per write: 768 -> 528 bytes).
  const std::span<const asio::const_buffer> bufs(s.pieces.data(), n);
  s.arm(s.io_timeout, false);
  // The handler holds the Impl, so the operation's memory (in the Impl) outlives the operation.
  struct Done {
    std::shared_ptr<Impl> self;
    WriteCallback cb;
    std::size_t before; // sent at once, before the asynchronous write
    using allocator_type = OpAllocator<void>;
    allocator_type get_allocator() const noexcept { return allocator_type(self->write_memory); }
    void operator()(const error_code& ec, std::size_t written) {
      self->disarm();
      written += before;
      self->written_total += written;
      if (self->orphaned) return;
      BackendError e = BackendError::None;
      if (ec) e = self->timed_out ? BackendError::Timeout : io_error(ec);
      if (cb) cb(e, written);
    }
  };
  Done done{impl_, std::move(cb), sent_at_once};
  if (s.tls) {
    asio::async_write(*s.tls, bufs, std::move(done));
  } else {
    asio::async_write(s.socket, bufs, std::move(done));
  }
}

void BackendConnection::read_some(ReadCallback cb) {
  auto& s = *impl_;
  if (s.has_result) {
    // Read before anyone asked (the backend answered while the request body was still going out):
    // delivered from the io loop, as a completion would be.
    s.has_result = false;
    asio::post(s.socket.get_executor(), [self = impl_, cb = std::move(cb), ec = s.result_ec, n = s.result_n] {
      if (self->orphaned || !cb) return;
      self->deliver(cb, ec, n);
    });
    return;
  }
  s.read_cb = cb ? std::move(cb) : ReadCallback([](BackendError, std::span<const char>) {});
  s.arm(s.io_timeout, false);
  if (s.read_pending) return; // the idle watch's read is taken over
  if (!s.socket.is_open()) {
    // Closed under the owner (a timeout, close()): the callback still runs from the io loop.
    s.read_pending = true;
    asio::post(s.socket.get_executor(),
               [self = impl_] { self->read_done(asio::error::operation_aborted, 0); });
    return;
  }
  s.start_read();
}

void BackendConnection::watch_idle() {
  auto& s = *impl_;
  if (s.read_pending || s.has_result) return; // bytes may be (or be about to be) in the buffer
  s.buffer.reset();                           // the response is done with: no view into it lives on
  if (s.tls || !s.socket.is_open()) return;
  s.start_read();
}

void BackendConnection::set_io_timeout(std::chrono::milliseconds t) noexcept {
  impl_->io_timeout = t;
}

std::chrono::milliseconds BackendConnection::io_timeout() const noexcept {
  return impl_->io_timeout;
}

void BackendConnection::close() noexcept {
  error_code ec;
  impl_->stop_timer();
  if (impl_->socket.is_open()) {
    impl_->socket.shutdown(asio::socket_base::shutdown_both, ec);
    impl_->socket.close(ec);
  }
}

bool BackendConnection::shutdown_send() noexcept {
  // Under TLS too: the TCP write side only, no close_notify (apache2's tunnel shuts the socket down
  // beneath mod_ssl; a close_notify would end the backend's reading and, for many, its writing).
  if (!impl_->socket.is_open()) return false;
  error_code ec;
  impl_->socket.shutdown(asio::socket_base::shutdown_send, ec);
  return !ec;
}

bool BackendConnection::is_open() const noexcept {
  return impl_->socket.is_open();
}

bool BackendConnection::peer_closed(bool verify) noexcept {
  if (!impl_->socket.is_open()) return true;
  if (impl_->has_result) return true; // EOF, an error, or bytes nobody asked for, seen while idle
  // Not checked on the socket: a watched connection's reactor would have seen a close; an unwatched
  // one is trusted (the caller can send the request again on a fresh connection if it was closed).
  if (!verify) return false;
  if (impl_->tls && SSL_pending(impl_->tls->native_handle()) > 0)
    return true; // decrypted bytes nobody asked for
  char c;
  ssize_t r = ::recv(impl_->socket.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
  return true; // EOF, an error, or bytes nobody asked for
}

std::uint64_t BackendConnection::bytes_read() const noexcept {
  return impl_->read_total;
}

std::uint64_t BackendConnection::bytes_written() const noexcept {
  return impl_->written_total;
}

const ResolvedAddress& BackendConnection::peer_address() const noexcept {
  return impl_->peer;
}

} // namespace balancerd::backend
