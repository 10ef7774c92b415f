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

#include "server/backend/tests/loopback_socket.hpp"
#include "server/backend/tests/self_signed.hpp"

namespace balancerd::backend::testing {

class TlsTestBackend {
public:
  TlsTestBackend(std::string response, bool expired = false) : response_(std::move(response)) {
    ::signal(SIGPIPE, SIG_IGN); // OpenSSL writes with write(): a client that hung up must not kill the test
    key_ = EVP_EC_gen("P-256");
    cert_ = expired ? make_self_signed(key_, -3 * 86400, -86400, true)
                    : make_self_signed(key_, -3600, 86400, true);
    ctx_ = server_context(cert_, key_);

    ca_path_ = "/tmp/bd-backend-test-" + std::to_string(::getpid()) + "-ca.pem";
    if (FILE* f = std::fopen(ca_path_.c_str(), "w")) {
      PEM_write_X509(f, cert_);
      std::fclose(f);
    }

    fd_ = bind_loopback(port_);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { run(); });
  }

  ~TlsTestBackend() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
    SSL_CTX_free(ctx_);
    X509_free(cert_);
    EVP_PKEY_free(key_);
    ::unlink(ca_path_.c_str());
  }

  std::uint16_t port() const { return port_; }
  const std::string& ca_file() const { return ca_path_; } // the certificate, as a CA file
  int handshakes() const { return handshakes_.load(); }
  int requests() const { return requests_.load(); }

private:
  void run() {
    for (int round = 0; !stop_ && round < 100000; ++round) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      timeval tv{0, 200000}; // a stuck peer cannot hold the thread
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, c);
      if (SSL_accept(ssl) == 1) {
        ++handshakes_;
        serve(ssl);
      }
      SSL_free(ssl);
      ::close(c);
    }
  }

  void serve(SSL* ssl) {
    std::string buf;
    char tmp[4096];
    for (int idle = 0; !stop_ && idle < 50;) {
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
  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  SSL_CTX* ctx_ = nullptr;
  std::string ca_path_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> handshakes_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

} // namespace balancerd::backend::testing
