#include "server/net/tls_context.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "directives/model/config.hpp"
#include "server/lifecycle/privileged_ca_dir.hpp"
#include "server/lifecycle/privileged_helper.hpp"
#include "server/log/log_level.hpp"
#include "server/net/tls_context_impl.hpp"

namespace balancerd::net {

namespace d = balancerd::directives;

namespace {

template <typename T> void inherit(std::optional<T>& v, const std::optional<T>& base) {
  if (!v) v = base;
}

// mod_ssl's server merge: what a vhost leaves unset it takes from the main server (SSLEngine too).
d::SslServerConf merged_ssl(const d::SslServerConf& base, const d::SslServerConf& add) {
  d::SslServerConf m = add;
  if (m.engine == d::SslEngine::Unset) m.engine = base.engine;
  auto& s = m.server;
  const auto& b = base.server;
  inherit(s.protocols, b.protocols);
  inherit(s.cipher_suite, b.cipher_suite);
  inherit(s.cipher_suite_tls13, b.cipher_suite_tls13);
  if (s.certificate_files.empty()) s.certificate_files = b.certificate_files;
  if (s.certificate_key_files.empty()) s.certificate_key_files = b.certificate_key_files;
  inherit(s.certificate_chain_file, b.certificate_chain_file);
  inherit(s.ca_certificate_file, b.ca_certificate_file);
  inherit(s.ca_certificate_path, b.ca_certificate_path);
  if (s.verify == d::SslVerify::Unset) s.verify = b.verify;
  inherit(s.verify_depth, b.verify_depth);
  if (s.openssl_conf_cmds.empty()) s.openssl_conf_cmds = b.openssl_conf_cmds;
  inherit(m.honor_cipher_order, base.honor_cipher_order);
  inherit(m.compression, base.compression);
  inherit(m.session_tickets, base.session_tickets);
  inherit(m.strict_sni_vhost_check, base.strict_sni_vhost_check);
  return m;
}

// "localhost:443:0": how mod_ssl names a server's certificate in its messages.
std::string cert_id(const d::ServerConf& s, const std::string& main_name, std::size_t index) {
  std::string name = s.core.server_name ? *s.core.server_name : main_name;
  if (auto p = name.find("://"); p != std::string::npos) name.erase(0, p + 3);
  if (auto c = name.rfind(':'); c != std::string::npos && name.find(']') == std::string::npos) name.resize(c);
  return name + ":" + std::to_string(s.core.server_port.value_or(443)) + ":" + std::to_string(index);
}

// The OpenSSL error queue as mod_ssl logs it ("SSL Library Error: error:...").
void drain_errors(std::vector<TlsSetupMessage>& out, int level) {
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    std::string line = std::string("SSL Library Error: ") + buf;
    if (data && *data && (flags & ERR_TXT_STRING)) line.append(" (").append(data).append(")");
    if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
      line.append(" -- Bad file contents or format - or even just a forgotten SSLCertificateKeyFile?");
    out.push_back({level, std::move(line)});
  }
}

// What mod_ssl compares between the handshake's vhost and the request's (ssl_server_compatible):
// the certificates and keys, protocols, ciphers and client verification.
std::string setup_key(const d::SslServerConf& c) {
  const auto& s = c.server;
  std::string k;
  auto add = [&k](std::string_view v) {
    k.append(v);
    k.push_back('\0');
  };
  for (const auto& f : s.certificate_files) add(f);
  add("|");
  for (const auto& f : s.certificate_key_files) add(f);
  add(s.certificate_chain_file.value_or(""));
  add(std::to_string(s.protocols.value_or(0)));
  add(s.cipher_suite.value_or(""));
  add(s.cipher_suite_tls13.value_or(""));
  add(s.ca_certificate_file.value_or(""));
  add(s.ca_certificate_path.value_or(""));
  add(std::to_string(static_cast<int>(s.verify)));
  add(std::to_string(s.verify_depth.value_or(-1)));
  add(c.honor_cipher_order.value_or(false) ? "h" : "");
  for (const auto& [name, value] : s.openssl_conf_cmds) {
    add(name);
    add(value);
  }
  return k;
}

int protocol_version(unsigned bit) {
  switch (bit) {
  case d::SSL_PROTO_TLSV1:
    return TLS1_VERSION;
  case d::SSL_PROTO_TLSV1_1:
    return TLS1_1_VERSION;
  case d::SSL_PROTO_TLSV1_2:
    return TLS1_2_VERSION;
  default:
    return TLS1_3_VERSION;
  }
}

// ALPN: only http/1.1 is spoken (apache2 without mod_http2 offers nothing else).
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  for (unsigned i = 0; i < inlen;) {
    const unsigned len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == 8 && std::memcmp(in + i + 1, "http/1.1", 8) == 0) {
      *out = in + i + 1;
      *outlen = 8;
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

// A certificate, key, chain or CA file's bytes. Opened through the privileged helper when the
// server no longer runs as root (lifecycle::open_read_file): start-up reads them as root, and a
// graceful restart, which runs as the server's User, must read a root-only key again as apache2's
// root parent does. A file that cannot be opened is said plainly rather than as the parse error
// OpenSSL would report.
constexpr std::size_t kMaxPemFile = 16u << 20;

std::optional<std::string> read_pem_file(const std::string& file, std::vector<TlsSetupMessage>& failure) {
  int e = 0;
  std::string data;
  const int fd = lifecycle::open_read_file(file);
  if (fd < 0) {
    e = -fd;
  } else {
    char buf[16384];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) e = errno;
      if (n <= 0) break;
      data.append(buf, static_cast<std::size_t>(n));
      if (data.size() > kMaxPemFile) {
        e = EFBIG;
        break;
      }
    }
    ::close(fd);
  }
  if (e == 0) return data;
  OPENSSL_cleanse(data.data(), data.size());
  failure.push_back(
      {log::kEmerg, "(" + std::to_string(e) + ")" + std::strerror(e) + ": cannot read " + file +
                        (::geteuid() != 0 && !lifecycle::PrivilegedHelper::installed()
                             ? " as the server's User (a graceful restart re-reads certificates and keys "
                               "after root was given up)"
                             : "")});
  return std::nullopt;
}

// Key material is wiped once OpenSSL has parsed it.
struct WipedString {
  std::string data;
  ~WipedString() { OPENSSL_cleanse(data.data(), data.size()); }
};

BIO* memory_bio(const std::string& data) {
  return BIO_new_mem_buf(data.data(), static_cast<int>(data.size()));
}

// SSL_CTX_use_certificate_chain_file on bytes already read: the first certificate is the server's
// (with its trust settings, PEM "TRUSTED CERTIFICATE" too), the rest its extra chain certificates.
bool use_certificate_chain(SSL_CTX* ctx, const std::string& pem) {
  ERR_clear_error();
  BIO* bio = memory_bio(pem);
  if (!bio) return false;
  X509* leaf = PEM_read_bio_X509_AUX(bio, nullptr, SSL_CTX_get_default_passwd_cb(ctx),
                                     SSL_CTX_get_default_passwd_cb_userdata(ctx));
  bool ok = leaf && SSL_CTX_use_certificate(ctx, leaf) == 1 && ERR_peek_error() == 0;
  X509_free(leaf);
  if (ok) {
    SSL_CTX_clear_chain_certs(ctx); // of the certificate just set
    while (X509* ca = PEM_read_bio_X509(bio, nullptr, SSL_CTX_get_default_passwd_cb(ctx),
                                        SSL_CTX_get_default_passwd_cb_userdata(ctx))) {
      if (!SSL_CTX_add0_chain_cert(ctx, ca)) {
        X509_free(ca);
        ok = false;
        break;
      }
    }
    // the loop ends at the end of the data ("no start line"), else on a damaged certificate
    const unsigned long err = ERR_peek_last_error();
    if (ok && ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE)
      ERR_clear_error();
    else if (err != 0)
      ok = false;
  }
  BIO_free(bio);
  return ok;
}

// The private key in `pem`; null when there is none that can be read (an encrypted key without
// its pass phrase, a damaged file).
EVP_PKEY* read_private_key(SSL_CTX* ctx, const std::string& pem) {
  BIO* bio = memory_bio(pem);
  if (!bio) return nullptr;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, SSL_CTX_get_default_passwd_cb(ctx),
                                          SSL_CTX_get_default_passwd_cb_userdata(ctx));
  BIO_free(bio);
  return key;
}

// SSLCACertificateFile: its certificates (and CRLs) trusted for client verification, their subjects
// the CA names the server asks for (SSL_CTX_load_verify_locations + SSL_load_client_CA_file on
// bytes already read). False when the file holds nothing usable.
int name_order(const X509_NAME* const* a, const X509_NAME* const* b) {
  return X509_NAME_cmp(*a, *b);
}

// SSLCACertificatePath's hashed entries: their certificates and CRLs trusted as OpenSSL's lazy lookup
// would trust them, and the certificates' subjects added to the CA names the server asks clients
// for, after SSLCACertificateFile's (mod_ssl lists the directory's certificates there too).
void add_ca_dir_entries(SSL_CTX* ctx, const std::vector<std::string>& pems) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  STACK_OF(X509_NAME)* names = sk_X509_NAME_new(name_order);
  if (!names) return;
  if (const STACK_OF(X509_NAME)* file_names = SSL_CTX_get_client_CA_list(ctx))
    for (int i = 0; i < sk_X509_NAME_num(file_names); ++i)
      if (X509_NAME* n = X509_NAME_dup(sk_X509_NAME_value(file_names, i)))
        if (!sk_X509_NAME_push(names, n)) X509_NAME_free(n);
  for (const auto& pem : pems) {
    BIO* bio = memory_bio(pem);
    if (!bio) continue;
    STACK_OF(X509_INFO)* infos = PEM_X509_INFO_read_bio(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!infos) continue;
    for (int i = 0; i < sk_X509_INFO_num(infos); ++i) {
      X509_INFO* info = sk_X509_INFO_value(infos, i);
      if (info->crl) X509_STORE_add_crl(store, info->crl);
      if (!info->x509 || !X509_STORE_add_cert(store, info->x509)) continue;
      if (sk_X509_NAME_find(names, X509_get_subject_name(info->x509)) < 0)
        if (X509_NAME* n = X509_NAME_dup(X509_get_subject_name(info->x509)))
          if (!sk_X509_NAME_push(names, n)) X509_NAME_free(n);
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
  }
  if (sk_X509_NAME_num(names) > 0)
    SSL_CTX_set_client_CA_list(ctx, names);
  else
    sk_X509_NAME_pop_free(names, X509_NAME_free);
}

bool load_ca_file(SSL_CTX* ctx, const std::string& pem) {
  BIO* bio = memory_bio(pem);
  if (!bio) return false;
  STACK_OF(X509_INFO)* infos = PEM_X509_INFO_read_bio(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!infos) return false;
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  STACK_OF(X509_NAME)* names = sk_X509_NAME_new(name_order);
  int loaded = 0;
  for (int i = 0; i < sk_X509_INFO_num(infos); ++i) {
    X509_INFO* info = sk_X509_INFO_value(infos, i);
    if (info->x509) {
      if (!X509_STORE_add_cert(store, info->x509)) continue;
      ++loaded;
      if (names && sk_X509_NAME_find(names, X509_get_subject_name(info->x509)) < 0)
        if (X509_NAME* n = X509_NAME_dup(X509_get_subject_name(info->x509)))
          if (!sk_X509_NAME_push(names, n)) X509_NAME_free(n);
    }
    if (info->crl && X509_STORE_add_crl(store, info->crl)) ++loaded;
  }
  sk_X509_INFO_pop_free(infos, X509_INFO_free);
  if (names && sk_X509_NAME_num(names) > 0)
    SSL_CTX_set_client_CA_list(ctx, names);
  else
    sk_X509_NAME_pop_free(names, X509_NAME_free);
  return loaded > 0;
}

int accept_any_client_cert(int, X509_STORE_CTX*) {
  return 1; // SSLVerifyClient optional_no_ca: the certificate is asked for, not checked
}

// The servername callback: the name-based vhost of the SNI name (on the connection's address chain)
// presents its certificate when it has one (mod_ssl's ssl_find_vhost + SSL_set_SSL_CTX).
int on_servername(SSL* ssl, int*, void* arg) {
  const auto& impl = *static_cast<const TlsContexts::Impl*>(arg);
  auto* st = static_cast<TlsConnState*>(SSL_get_app_data(ssl));
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (!st || !name || !*name) return SSL_TLSEXT_ERR_OK;
  std::string host(name);
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!host.empty() && host.back() == '.') host.pop_back();
  st->facts.sni = host;
  const auto* chain = static_cast<const runtime::VhostSelector::Chain*>(st->binding.chain);
  const int server = impl.selector.select(chain, host);
  st->facts.sni_server = server;
  if (server == st->binding.server) return SSL_TLSEXT_ERR_OK;
  const auto& target = impl.server(server);
  if (!target.ctx) return SSL_TLSEXT_ERR_OK;
  SSL_set_SSL_CTX(ssl, target.ctx);
  // SSL_set_SSL_CTX takes the certificates only: the verify settings follow the vhost too
  SSL_set_verify(ssl, SSL_CTX_get_verify_mode(target.ctx), SSL_CTX_get_verify_callback(target.ctx));
  SSL_set_verify_depth(ssl, SSL_CTX_get_verify_depth(target.ctx));
  return SSL_TLSEXT_ERR_OK;
}

// One server's SSL_CTX; false (and mod_ssl's lines in `failure`) when a certificate or key is bad.
bool configure(SSL_CTX* ctx, const d::SslServerConf& c, const std::string& id_base, int index,
               const TlsContexts::Impl& impl, std::vector<TlsSetupMessage>& failure) {
  const auto& s = c.server;
  long opts = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_SSLv3;
  if (!c.compression.value_or(false)) opts |= SSL_OP_NO_COMPRESSION;
  if (c.honor_cipher_order.value_or(false)) opts |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  if (!c.session_tickets.value_or(true)) opts |= SSL_OP_NO_TICKET;
  SSL_CTX_set_options(ctx, opts);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  const unsigned bits =
      s.protocols.value_or(d::SSL_PROTO_ALL & ~d::SSL_PROTO_SSLV3) &
      (d::SSL_PROTO_TLSV1 | d::SSL_PROTO_TLSV1_1 | d::SSL_PROTO_TLSV1_2 | d::SSL_PROTO_TLSV1_3);
  if (bits) {
    unsigned lo = bits & (~bits + 1u);
    unsigned hi = 1u << (31 - __builtin_clz(bits));
    SSL_CTX_set_min_proto_version(ctx, protocol_version(lo));
    SSL_CTX_set_max_proto_version(ctx, protocol_version(hi));
    // a gap ("TLSv1 TLSv1.2"): the versions between that are not wanted
    if (!(bits & d::SSL_PROTO_TLSV1_1) && lo < d::SSL_PROTO_TLSV1_1 && hi > d::SSL_PROTO_TLSV1_1)
      SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_1);
    if (!(bits & d::SSL_PROTO_TLSV1_2) && lo < d::SSL_PROTO_TLSV1_2 && hi > d::SSL_PROTO_TLSV1_2)
      SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_2);
  }
  if (s.cipher_suite && !SSL_CTX_set_cipher_list(ctx, s.cipher_suite->c_str())) {
    failure.push_back({log::kEmerg, "AH01898: Unable to configure permitted SSL ciphers"});
    drain_errors(failure, log::kEmerg);
    return false;
  }
  if (s.cipher_suite_tls13 && !SSL_CTX_set_ciphersuites(ctx, s.cipher_suite_tls13->c_str())) {
    failure.push_back({log::kEmerg, "AH01898: Unable to configure permitted SSL ciphers"});
    drain_errors(failure, log::kEmerg);
    return false;
  }
  for (std::size_t i = 0; i < s.certificate_files.size(); ++i) {
    const std::string id = id_base + ":" + std::to_string(i);
    const std::string& cert = s.certificate_files[i];
    const std::string& key = i < s.certificate_key_files.size() ? s.certificate_key_files[i] : cert;
    const auto cert_pem = read_pem_file(cert, failure);
    if (!cert_pem) return false;
    WipedString key_pem;
    if (auto k = read_pem_file(key, failure))
      key_pem.data = std::move(*k);
    else
      return false;
    if (!use_certificate_chain(ctx, *cert_pem)) {
      failure.push_back(
          {log::kEmerg, "AH02562: Failed to configure certificate " + id + " (with chain), check " + cert});
      drain_errors(failure, log::kEmerg);
      return false;
    }
    EVP_PKEY* pkey = read_private_key(ctx, key_pem.data);
    ERR_clear_error(); // mod_ssl's own wording follows
    if (!pkey) {
      failure.push_back({log::kEmerg, "AH02312: Fatal error initialising mod_ssl, exiting."});
      failure.push_back(
          {log::kEmerg, "AH02564: Failed to configure encrypted (?) private key " + id + ", check " + key});
      return false;
    }
    const int used = SSL_CTX_use_PrivateKey(ctx, pkey);
    EVP_PKEY_free(pkey);
    if (used < 1) { // OpenSSL 3 refuses a key that does not match the certificate here
      ERR_clear_error();
      failure.push_back({log::kEmerg, "AH02565: Certificate and private key " + id + " from " + cert +
                                          " and " + key + " do not match"});
      return false;
    }
    if (SSL_CTX_check_private_key(ctx) < 1) {
      ERR_clear_error();
      failure.push_back({log::kEmerg, "AH02565: Certificate and private key " + id + " from " + cert +
                                          " and " + key + " do not match"});
      return false;
    }
  }
  if (s.certificate_chain_file) {
    const auto pem = read_pem_file(*s.certificate_chain_file, failure);
    if (!pem) return false;
    BIO* bio = memory_bio(*pem);
    int n = 0;
    while (bio) {
      X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
      if (!x) break;
      SSL_CTX_add0_chain_cert(ctx, x);
      ++n;
    }
    if (bio) BIO_free(bio);
    ERR_clear_error();
    if (n == 0) {
      failure.push_back({log::kEmerg, "AH01903: Failed to configure CA certificate chain!"});
      return false;
    }
  }
  if (s.ca_certificate_file || s.ca_certificate_path) {
    std::optional<std::string> ca_pem;
    if (s.ca_certificate_file && !(ca_pem = read_pem_file(*s.ca_certificate_file, failure))) return false;
    // SSLCACertificatePath: OpenSSL looks its hashed names up when a client certificate is verified
    const bool ok = (!ca_pem || load_ca_file(ctx, *ca_pem)) &&
                    (!s.ca_certificate_path ||
                     SSL_CTX_load_verify_locations(ctx, nullptr, s.ca_certificate_path->c_str()));
    // ... and its hashed entries are read now as well (as root where the User may not), so that a
    // root-only directory still verifies after a graceful reload, when the lookup runs as the User
    if (ok && s.ca_certificate_path)
      add_ca_dir_entries(ctx, lifecycle::read_hashed_ca_files(*s.ca_certificate_path));
    if (!ok) {
      failure.push_back(
          {log::kEmerg, "AH01895: Unable to configure verify locations for client authentication"});
      drain_errors(failure, log::kEmerg);
      return false;
    }
    ERR_clear_error();
  }
  switch (s.verify) {
  case d::SslVerify::Require:
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    break;
  case d::SslVerify::Optional:
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    break;
  case d::SslVerify::OptionalNoCa:
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_client_cert);
    break;
  default:
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  SSL_CTX_set_verify_depth(ctx, s.verify_depth.value_or(1));
  if (!s.openssl_conf_cmds.empty()) {
    SSL_CONF_CTX* cctx = SSL_CONF_CTX_new();
    SSL_CONF_CTX_set_flags(cctx, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CERTIFICATE |
                                     SSL_CONF_FLAG_SHOW_ERRORS);
    SSL_CONF_CTX_set_ssl_ctx(cctx, ctx);
    for (const auto& [name, value] : s.openssl_conf_cmds) {
      if (SSL_CONF_cmd(cctx, name.c_str(), value.c_str()) <= 0) {
        failure.push_back(
            {log::kEmerg, "AH02407: \"SSLOpenSSLConfCmd " + name + " " + value + "\" failed for " + id_base});
        drain_errors(failure, log::kEmerg);
        SSL_CONF_CTX_free(cctx);
        return false;
      }
    }
    SSL_CONF_CTX_finish(cctx);
    SSL_CONF_CTX_free(cctx);
  }
  // A session resumed with another server's context is refused (client certificates checked by one
  // vhost must not open another): one session id context per server.
  const std::string sid = "balancerd:" + std::to_string(index);
  SSL_CTX_set_session_id_context(ctx, reinterpret_cast<const unsigned char*>(sid.data()),
                                 static_cast<unsigned>(sid.size()));
  SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
  SSL_CTX_set_tlsext_servername_callback(ctx, on_servername);
  SSL_CTX_set_tlsext_servername_arg(ctx, const_cast<TlsContexts::Impl*>(&impl));
  return true;
}

} // namespace

std::string tls_library_component() {
  return std::string("OpenSSL/") + OpenSSL_version(OPENSSL_VERSION_STRING);
}

TlsContexts::Impl::~Impl() {
  for (auto& s : servers)
    if (s.ctx) SSL_CTX_free(s.ctx);
}

TlsContexts::TlsContexts(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsContexts::~TlsContexts() = default;

std::shared_ptr<const TlsContexts> TlsContexts::build(const directives::Config& config,
                                                      const std::string& main_name,
                                                      std::vector<TlsSetupMessage>& failure, Logger logger) {
  auto impl = std::make_unique<Impl>(config, main_name);
  impl->logger = std::move(logger);
  const d::SslServerConf& main_ssl = *config.main.ssl;
  impl->servers.resize(config.vhosts.size() + 1);
  bool any = false;
  auto add = [&](const d::ServerConf& server, const d::SslServerConf& conf, int index) {
    // "SSLEngine optional" (RFC 2817 upgrades) is gone from mod_ssl: apache2 2.4.71 logs AH10510 and
    // serves that address in plaintext
    if (conf.engine != d::SslEngine::On) return true;
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) return false;
    auto& slot = impl->servers[static_cast<std::size_t>(index + 1)];
    slot.ctx = ctx; // freed with impl on failure
    slot.strict_sni = conf.strict_sni_vhost_check.value_or(false);
    any = true;
    slot.setup = setup_key(conf);
    std::string id = cert_id(server, main_name, 0);
    id.resize(id.size() - 2); // without the ":0" certificate index
    slot.name = id;
    return configure(ctx, conf, id, index, *impl, failure);
  };
  if (!add(config.main, main_ssl, -1)) return nullptr;
  for (std::size_t i = 0; i < config.vhosts.size(); ++i) {
    const auto& v = config.vhosts[i];
    if (!add(v, merged_ssl(main_ssl, *v.ssl), static_cast<int>(i))) return nullptr;
  }
  if (!any) return nullptr;
  return std::shared_ptr<const TlsContexts>(new TlsContexts(std::move(impl)));
}

bool TlsContexts::compatible(int a, int b) const {
  if (a == b) return true;
  const auto& x = impl_->server(a);
  const auto& y = impl_->server(b);
  if (!x.ctx || !y.ctx) return x.ctx == y.ctx;
  return x.setup == y.setup;
}

void TlsContexts::log_handshake_failure(int server, std::string_view client_ip, unsigned short client_port,
                                        bool plain_http, const std::string& reason) const {
  if (!impl_->logger) return;
  const std::string& name = impl_->server(server).name;
  if (plain_http)
    impl_->logger(log::kInfo, client_ip, client_port,
                  "AH01996: SSL handshake failed: HTTP spoken on HTTPS port; trying to send HTML error page");
  else
    impl_->logger(log::kInfo, client_ip, client_port,
                  "AH02008: SSL library error 1 in handshake (server " + name + ")");
  if (!reason.empty() && reason.rfind("error:", 0) == 0)
    impl_->logger(log::kInfo, {}, 0, "SSL Library Error: " + reason);
}

bool TlsContexts::strict_sni(int s) const {
  return impl_->server(s).strict_sni;
}

TlsBinding TlsContexts::for_local(std::string_view local_ip, unsigned short port) const {
  runtime::LocalEndpoint local;
  if (auto ip = runtime::IpAddress::parse(local_ip)) local.ip = *ip;
  local.port = port;
  const auto* chain = impl_->selector.chain_for(local);
  const int server = chain && !chain->vhosts.empty() ? chain->vhosts.front() : runtime::kMainServer;
  TlsBinding b;
  if (!impl_->server(server).ctx) return b;
  b.contexts = this;
  b.server = server;
  b.chain = chain;
  return b;
}

} // namespace balancerd::net
