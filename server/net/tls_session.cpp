#include "server/net/tls_session.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <climits>

#include "server/net/tls_context_impl.hpp"

namespace balancerd::net {

struct TlsSession::State {
  SSL* ssl = nullptr;
  TlsConnState conn;
  ~State() {
    if (ssl) SSL_free(ssl);
  }
};

namespace {

std::string name_text(X509_NAME* name) {
  if (!name) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len > 0 ? len : 0));
  BIO_free(bio);
  return out;
}

void fill_facts(SSL* ssl, TlsFacts& f) {
  f.protocol = SSL_get_version(ssl);
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl);
  if (c) {
    f.cipher = SSL_CIPHER_get_name(c);
    f.cipher_bits = SSL_CIPHER_get_bits(c, &f.cipher_alg_bits);
  }
  if (SSL_SESSION* s = SSL_get_session(ssl)) {
    unsigned len = 0;
    const unsigned char* id = SSL_SESSION_get_id(s, &len);
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned i = 0; i < len; ++i) {
      f.session_id.push_back(kHex[id[i] >> 4]);
      f.session_id.push_back(kHex[id[i] & 15]);
    }
  }
  f.session_resumed = SSL_session_reused(ssl) == 1;
  if (X509* own = SSL_get_certificate(ssl)) {
    f.server_s_dn = name_text(X509_get_subject_name(own));
    f.server_i_dn = name_text(X509_get_issuer_name(own));
  }
  if (X509* peer = SSL_get1_peer_certificate(ssl)) {
    f.client_s_dn = name_text(X509_get_subject_name(peer));
    f.client_i_dn = name_text(X509_get_issuer_name(peer));
    const long v = SSL_get_verify_result(ssl);
    f.client_verify = v == X509_V_OK ? "SUCCESS" : std::string("FAILED:") + X509_verify_cert_error_string(v);
    X509_free(peer);
  } else {
    f.client_verify = "NONE";
  }
}

} // namespace

TlsSession::TlsSession(const TlsBinding& binding, int fd) : st_(std::make_unique<State>()) {
  st_->conn.binding = binding;
  const auto& server = binding.contexts->impl().server(binding.server);
  st_->ssl = SSL_new(server.ctx);
  if (!st_->ssl) return;
  SSL_set_fd(st_->ssl, fd);
  SSL_set_app_data(st_->ssl, &st_->conn);
  SSL_set_accept_state(st_->ssl);
}

TlsSession::~TlsSession() = default;

TlsSession::Io TlsSession::handshake() {
  SSL* ssl = st_->ssl;
  if (!ssl) return Io::Failed;
  ERR_clear_error();
  const int r = SSL_do_handshake(ssl);
  if (r == 1) {
    auto& f = st_->conn.facts;
    fill_facts(ssl, f);
    f.contexts = st_->conn.binding.contexts;
    f.handshake_server = f.sni_server >= -1 ? f.sni_server : st_->conn.binding.server;
    const auto* chain = static_cast<const runtime::VhostSelector::Chain*>(st_->conn.binding.chain);
    f.name_based = chain && chain->vhosts.size() > 1;
    return Io::Ok;
  }
  const int e = SSL_get_error(ssl, r);
  if (e == SSL_ERROR_WANT_READ) return Io::WantRead;
  if (e == SSL_ERROR_WANT_WRITE) return Io::WantWrite;
  const unsigned long code = ERR_peek_error();
  if (ERR_GET_LIB(code) == ERR_LIB_SSL && ERR_GET_REASON(code) == SSL_R_HTTP_REQUEST) plain_http_ = true;
  if (code) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    failure_ = buf;
  } else if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN) {
    failure_ = "connection closed by the client";
  }
  ERR_clear_error();
  return Io::Failed;
}

TlsSession::Io TlsSession::read(char* buf, std::size_t len, std::size_t& n) {
  n = 0;
  ERR_clear_error();
  const int r = SSL_read(st_->ssl, buf, static_cast<int>(len > INT_MAX ? INT_MAX : len));
  if (r > 0) {
    n = static_cast<std::size_t>(r);
    return Io::Ok;
  }
  switch (SSL_get_error(st_->ssl, r)) {
  case SSL_ERROR_WANT_READ:
    return Io::WantRead;
  case SSL_ERROR_WANT_WRITE:
    return Io::WantWrite;
  case SSL_ERROR_ZERO_RETURN:
    return Io::Closed;
  case SSL_ERROR_SYSCALL:
    ERR_clear_error();
    return Io::Closed; // EOF without close_notify, or a reset
  default:
    ERR_clear_error();
    return Io::Failed;
  }
}

TlsSession::Io TlsSession::write(const char* buf, std::size_t len, std::size_t& n) {
  n = 0;
  if (len == 0) return Io::Ok;
  ERR_clear_error();
  const int r = SSL_write(st_->ssl, buf, static_cast<int>(len > INT_MAX ? INT_MAX : len));
  if (r > 0) {
    n = static_cast<std::size_t>(r);
    return Io::Ok;
  }
  switch (SSL_get_error(st_->ssl, r)) {
  case SSL_ERROR_WANT_READ:
    return Io::WantRead;
  case SSL_ERROR_WANT_WRITE:
    return Io::WantWrite;
  default:
    ERR_clear_error();
    return Io::Failed;
  }
}

bool TlsSession::has_buffered() const {
  return st_->ssl && SSL_pending(st_->ssl) > 0;
}

void TlsSession::close_notify() {
  if (!st_->ssl || !SSL_is_init_finished(st_->ssl)) return;
  ERR_clear_error();
  SSL_shutdown(st_->ssl); // one attempt: mod_ssl does not wait for the client's answer either
  ERR_clear_error();
}

int TlsSession::server() const noexcept {
  return st_->conn.binding.server;
}

const TlsFacts& TlsSession::facts() const noexcept {
  return st_->conn.facts;
}

} // namespace balancerd::net
