#pragma once
// A wss:// test backend: TLS with a self-signed certificate made at run time (EC P-256, CN and SAN
// localhost), one connection at a time. It answers an upgrade request with a 101, echoes "echo:" +
// what it receives, and tells how the proxy stopped sending: a TCP FIN without close_notify (it then
// still answers "bye\n", as a backend finishing its side would), a close_notify, or an error.
// Plain OpenSSL and POSIX, independent of the code under test.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "server/backend/tests/tls_loopback.hpp"

namespace balancerd::proxy::test {

class TlsWsBackend {
public:
  enum class Ending { None, Fin, CloseNotify, Error };

  TlsWsBackend() : server_(-3600, 86400, false, [this](SSL* ssl, int fd) { serve(ssl, fd); }) {}

  std::uint16_t port() const { return server_.port(); }
  Ending ending() const { return ending_.load(); }
  std::string head() {
    std::lock_guard<std::mutex> l(mu_);
    return head_;
  }

private:
  // SSL_read, retried while the receive timeout only says "nothing yet" (bounded).
  int read(SSL* ssl, char* buf, int size) {
    for (int tries = 0; !server_.stopping() && tries < 50; ++tries) {
      int n = SSL_read(ssl, buf, size);
      if (n > 0) return n;
      if (SSL_get_error(ssl, n) == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        ERR_clear_error();
        continue;
      }
      return n;
    }
    return -1;
  }

  void serve(SSL* ssl, int fd) {
    std::string in;
    char tmp[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
      int n = read(ssl, tmp, sizeof tmp);
      if (n <= 0) return;
      in.append(tmp, static_cast<std::size_t>(n));
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      head_ = in.substr(0, in.find("\r\n\r\n") + 4);
    }
    const std::string ok =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    SSL_write(ssl, ok.data(), static_cast<int>(ok.size()));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!server_.stopping() && std::chrono::steady_clock::now() < deadline) {
      if (SSL_pending(ssl) == 0) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        // Readable with nothing decrypted pending: a plain EOF here is a FIN without close_notify
        // (a close_notify would be a record to read first).
        char c;
        if (::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0) {
          ending_ = Ending::Fin;
          SSL_write(ssl, "bye\n", 4); // the proxy still reads: our last words must reach its client
          SSL_shutdown(ssl);
          return;
        }
      }
      int n = read(ssl, tmp, sizeof tmp);
      if (n <= 0) {
        ending_ = SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN ? Ending::CloseNotify : Ending::Error;
        return;
      }
      std::string echo = "echo:" + std::string(tmp, static_cast<std::size_t>(n));
      SSL_write(ssl, echo.data(), static_cast<int>(echo.size()));
    }
  }

  std::atomic<Ending> ending_{Ending::None};
  std::mutex mu_;
  std::string head_;
  ::balancerd::backend::testing::TlsLoopbackServer server_; // last: its thread stops first
};

} // namespace balancerd::proxy::test
