#pragma once
// An https test backend: a self-signed certificate made at run time (EC P-256, SAN DNS:localhost),
// optionally already expired, and a thread serving one TLS connection at a time with canned
// responses (keep-alive). Plain OpenSSL and POSIX, independent of the code under test.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <string>
#include <thread>

#include "server/backend/tests/tls_loopback.hpp"

namespace balancerd::backend::testing {

class TlsTestBackend {
public:
  TlsTestBackend(std::string response, bool expired = false)
      : response_(std::move(response)),
        server_(expired ? -3 * 86400 : -3600, expired ? -86400 : 86400, true, [this](SSL* ssl, int) {
          ++handshakes_;
          serve(ssl);
        }) {
    ca_path_ = "/tmp/bd-backend-test-" + std::to_string(::getpid()) + "-ca.pem";
    if (FILE* f = std::fopen(ca_path_.c_str(), "w")) {
      PEM_write_X509(f, server_.cert());
      std::fclose(f);
    }
  }

  ~TlsTestBackend() { ::unlink(ca_path_.c_str()); }

  std::uint16_t port() const { return server_.port(); }
  const std::string& ca_file() const { return ca_path_; } // the certificate, as a CA file
  int handshakes() const { return handshakes_.load(); }
  int requests() const { return requests_.load(); }

private:
  void serve(SSL* ssl) {
    std::string buf;
    char tmp[4096];
    for (int idle = 0; !server_.stopping() && idle < 50;) {
      int n = SSL_read(ssl, tmp, sizeof tmp);
      if (n <= 0) {
        if (SSL_get_error(ssl, n) == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          ERR_clear_error();
          ++idle;
          continue;
        }
        return;
      }
      idle = 0;
      buf.append(tmp, static_cast<std::size_t>(n));
      for (auto end = buf.find("\r\n\r\n"); end != std::string::npos; end = buf.find("\r\n\r\n")) {
        buf.erase(0, end + 4);
        ++requests_;
        SSL_write(ssl, response_.data(), static_cast<int>(response_.size()));
      }
    }
  }

  std::string response_;
  std::string ca_path_;
  std::atomic<int> handshakes_{0};
  std::atomic<int> requests_{0};
  TlsLoopbackServer server_; // last: its thread stops before the members above go
};

} // namespace balancerd::backend::testing
