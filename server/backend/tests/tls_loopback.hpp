#pragma once
// The TLS test backends' server (backend_tests' TlsTestBackend, proxy_tests' TlsWsBackend): a
// self-signed certificate made at run time (EC P-256, CN localhost), a context serving it, and a
// thread accepting one loopback connection at a time, handing each to the backend after the
// handshake. Plain OpenSSL and POSIX, independent of the code under test.
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "server/backend/tests/loopback_socket.hpp"

namespace balancerd::backend::testing {

// A certificate for CN localhost signed by `key` itself (serial 1, SHA-256), valid from
// not_before to not_after seconds from now. With san_and_ca it also has subjectAltName
// DNS:localhost and a critical CA:TRUE, so that it can serve as its own CA file.
inline X509* make_self_signed(EVP_PKEY* key, long not_before, long not_after, bool san_and_ca) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert), not_after);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"),
                             -1, -1, 0);
  X509_set_issuer_name(cert, name);
  if (san_and_ca) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
    if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, "DNS:localhost")) {
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_basic_constraints, "critical,CA:TRUE")) {
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
  }
  X509_sign(cert, key, EVP_sha256());
  return cert;
}

// A TLS server context presenting `cert` with `key`.
inline SSL_CTX* server_context(X509* cert, EVP_PKEY* key) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  return ctx;
}

// The listening side. A backend declares it as its last member, so that its thread is stopped
// before the members the handler uses go away.
class TlsLoopbackServer {
public:
  // Called on the server's thread with each connection whose handshake succeeded (ssl, its fd).
  using Handler = std::function<void(SSL*, int)>;

  // The certificate as make_self_signed(key, not_before, not_after, san_and_ca) makes it.
  TlsLoopbackServer(long not_before, long not_after, bool san_and_ca, Handler on_handshake)
      : handler_(std::move(on_handshake)) {
    ::signal(SIGPIPE, SIG_IGN); // OpenSSL writes with write(): a client that hung up must not kill the test
    key_ = EVP_EC_gen("P-256");
    cert_ = make_self_signed(key_, not_before, not_after, san_and_ca);
    ctx_ = server_context(cert_, key_);
    fd_ = bind_loopback(port_);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { run(); });
  }

  ~TlsLoopbackServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
    SSL_CTX_free(ctx_);
    X509_free(cert_);
    EVP_PKEY_free(key_);
  }

  TlsLoopbackServer(const TlsLoopbackServer&) = delete;
  TlsLoopbackServer& operator=(const TlsLoopbackServer&) = delete;

  std::uint16_t port() const { return port_; }
  X509* cert() const { return cert_; }
  bool stopping() const { return stop_.load(); }

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
      if (SSL_accept(ssl) == 1) handler_(ssl, c);
      SSL_free(ssl);
      ::close(c);
    }
  }

  Handler handler_;
  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

} // namespace balancerd::backend::testing
