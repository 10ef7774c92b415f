#pragma once
// One connection to a backend (TCP or unix socket), used on one io thread: connect with a timeout,
// gathered writes (one direct sendmsg when the socket takes them), reads into a buffer borrowed from
// the thread's net::BufferPool when the bytes arrive and given back when the connection goes idle
// (watch_idle), a timeout per operation, close.
// It knows whether it already served a request (reused): Apache answers a failure before the first
// response byte on a reused connection differently from one on a fresh connection (see §7.7).
// No Asio in this header (pimpl), so the engine's headers stay light.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "server/backend/address_cache.hpp"
#include "server/backend/backend_error.hpp"
#include "server/backend/backend_tls.hpp"

namespace boost::asio {
class io_context;
}

namespace balancerd::backend {

struct ConnectOptions {
  std::chrono::milliseconds connect_timeout{60000}; // per address tried
  std::chrono::milliseconds io_timeout{60000};      // later reads and writes
  bool tcp_keepalive = false;                       // SO_KEEPALIVE
  std::size_t receive_buffer_size = 0;              // SO_RCVBUF; 0 = OS default
  // TLS after the TCP connect (https backends): handshake within connect_timeout, SNI and the peer
  // name check use tls_host (no SNI for an IP literal).
  std::shared_ptr<const BackendTlsContext> tls;
  std::string tls_host;
  // Bind TCP sockets to this local address (an IP literal, or a name resolved when connecting) before
  // connecting; "" = the system's choice. A bind that fails counts as a failed connect to that address.
  std::string source_address;
};

class BackendConnection {
public:
  // Callbacks keep captures small (a pointer or two) so std::function does not allocate.
  using ConnectCallback = std::function<void(BackendError)>;
  using WriteCallback = std::function<void(BackendError, std::size_t written)>;
  // data points into the connection's read buffer: valid until the next read_some(), watch_idle()
  // (the buffer goes back to the pool) or close().
  using ReadCallback = std::function<void(BackendError, std::span<const char> data)>;

  BackendConnection(boost::asio::io_context& io, std::size_t read_buffer_size);
  ~BackendConnection();
  BackendConnection(const BackendConnection&) = delete;
  BackendConnection& operator=(const BackendConnection&) = delete;

  // Tries the addresses in order (as Apache does), each with connect_timeout; the callback gets the
  // last address's error if none connects. Applies TCP_NODELAY (as Apache), keepalive and receive
  // buffer options. The addresses are copied.
  void connect(std::span<const ResolvedAddress> addresses, const ConnectOptions& opt, ConnectCallback cb);

  // Writes every byte of the pieces (in order) within io_timeout. The piece list is copied; the bytes
  // must stay valid until cb runs. At most 16 pieces per call.
  void write(std::span<const std::span<const char>> pieces, WriteCallback cb);
  void write(std::span<const char> data, WriteCallback cb) { write(std::span(&data, 1), std::move(cb)); }
  // The same, but when the socket takes every byte at once (the common case for a request head) cb
  // runs before this returns, instead of from a posted completion: the connection and the caller's
  // state are still in cache (at 512 connections a posted completion ran after hundreds of other
  // events, on cold memory). For callers whose callback may run inside the call; nothing of the
  // connection is touched after cb, so cb may release or destroy it. Failures and partial writes
  // complete as write() does.
  void write_inline(std::span<const std::span<const char>> pieces, WriteCallback cb);

  // Reads what is available (at least one byte) into the connection's buffer within io_timeout.
  // Eof when the backend closed the connection. A read already pending (watch_idle) is taken over.
  void read_some(ReadCallback cb);

  // For a connection going idle in a pool: keeps a read pending (no system call when the last read
  // drained the socket), so a backend close or unsolicited bytes are seen by the reactor and
  // peer_closed() can answer without a system call; the next read_some() takes that read over. No-op
  // for TLS connections.
  void watch_idle();

  void set_io_timeout(std::chrono::milliseconds t) noexcept;
  std::chrono::milliseconds io_timeout() const noexcept;

  // Closes the socket; a pending operation completes with Aborted. Destroying the connection closes it
  // too, and then pending callbacks are dropped, not called.
  void close() noexcept;
  bool is_open() const noexcept;
  // Half close (a tunnel whose client finished sending): no more bytes to the backend, reads go on.
  // Over TLS the TCP write side is shut without a close_notify, as apache2 does. false when closed.
  bool shutdown_send() noexcept;
  // For an idle pooled connection: true when the backend closed it (a readable EOF), reset it, or sent
  // unsolicited bytes (the connection cannot be used for a new request then either). Non-blocking.
  // `verify` looks at the socket itself (a recv with MSG_PEEK, as Apache's is_socket_connected);
  // without it only what the reactor saw is used: a watched connection (watch_idle) knows of a close
  // or stray bytes, an unwatched one is taken as open.
  bool peer_closed(bool verify = true) noexcept;

  // Requests completed on this connection before the current one (counted by BackendPool::release
  // or note_request_done). reused() is what Apache calls "a reused connection".
  unsigned requests_served() const noexcept { return served_; }
  bool reused() const noexcept { return served_ > 0; }
  void note_request_done() noexcept { ++served_; }

  std::uint64_t bytes_read() const noexcept;
  std::uint64_t bytes_written() const noexcept;
  std::uint64_t id() const noexcept { return id_; } // unique per process, for logs and tests
  const ResolvedAddress& peer_address() const noexcept;

  // Set by the pool when the connection goes idle.
  std::chrono::steady_clock::time_point idle_since{};
  std::chrono::steady_clock::time_point created{};

private:
  void write(std::span<const std::span<const char>> pieces, WriteCallback cb, bool complete_inline);
  struct Impl;
  std::shared_ptr<Impl> impl_; // shared with pending handlers
  unsigned served_ = 0;
  std::uint64_t id_;
};

} // namespace balancerd::backend
