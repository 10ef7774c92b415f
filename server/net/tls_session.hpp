#pragma once
// One client connection's TLS (mod_ssl's connection filter): the handshake, then decrypting what the
// client sends and encrypting what goes back, on the connection's non-blocking socket. It never waits:
// each call says whether the socket must become readable or writable before it is repeated, and the
// connection does the waiting with its own reactor. No OpenSSL or Asio type shows here.
#include <cstddef>
#include <memory>
#include <string>

#include "server/net/tls_context.hpp"
#include "server/net/tls_facts.hpp"

namespace balancerd::net {

class TlsSession {
public:
  enum class Io : unsigned char {
    Ok,        // done (read: n bytes decrypted, n > 0; write: n bytes taken)
    WantRead,  // repeat once the socket is readable
    WantWrite, // repeat once the socket is writable
    Closed,    // the client ended the TLS stream (close_notify) or the connection
    Failed,    // a protocol error or a reset: close
  };

  // `fd`: the connection's socket, already non-blocking; the session does not own it.
  TlsSession(const TlsBinding& binding, int fd);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  Io handshake();
  Io read(char* buf, std::size_t len, std::size_t& n);
  Io write(const char* buf, std::size_t len, std::size_t& n);
  // Decrypted bytes already held (a record larger than the last read): read before waiting.
  bool has_buffered() const;
  // Sends close_notify if the socket takes it now (a closing connection does not wait for it).
  void close_notify();

  // After a failed handshake: the client spoke plain HTTP (mod_ssl answers it with a 400 page).
  bool plain_http() const noexcept { return plain_http_; }
  // After a failed handshake: OpenSSL's reason, for the log.
  const std::string& failure() const noexcept { return failure_; }
  // Filled once the handshake is done.
  const TlsFacts& facts() const noexcept;
  // The server the connection's address selected (TlsBinding::server).
  int server() const noexcept;

private:
  struct State;
  std::unique_ptr<State> st_;
  bool plain_http_ = false;
  std::string failure_;
};

} // namespace balancerd::net
