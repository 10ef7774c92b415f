#include "server/backend/backend_tls.hpp"

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

#include "directives/model/ssl_conf.hpp"

namespace balancerd::backend {

namespace asio = boost::asio;

struct BackendTlsContext::Impl {
  asio::ssl::context ctx{asio::ssl::context::tls_client};
};

BackendTlsOptions BackendTlsOptions::from_config(const directives::SslProxySide& server,
                                                 const directives::SslProxySide* dir) {
  auto pick = [&](auto member) {
    if (dir && (dir->*member)) return dir->*member;
    return server.*member;
  };
  BackendTlsOptions o;
  const auto& sc = server.ctx;
  const directives::SslContextConf* dc = dir ? &dir->ctx : nullptr;
  auto ctx_pick = [&](auto member) {
    if (dc && (dc->*member)) return dc->*member;
    return sc.*member;
  };
  auto verify = (dc && dc->verify != directives::SslVerify::Unset) ? dc->verify : sc.verify;
  o.verify = verify == directives::SslVerify::Require || verify == directives::SslVerify::Optional;
  if (auto d = ctx_pick(&directives::SslContextConf::verify_depth)) o.verify_depth = *d;
  if (auto f = ctx_pick(&directives::SslContextConf::ca_certificate_file)) o.ca_file = *f;
  if (auto p = ctx_pick(&directives::SslContextConf::ca_certificate_path)) o.ca_path = *p;
  if (auto m = ctx_pick(&directives::SslContextConf::machine_certificate_file)) o.client_cert_file = *m;
  if (auto c = ctx_pick(&directives::SslContextConf::cipher_suite)) o.ciphers = *c;
  o.protocols = ctx_pick(&directives::SslContextConf::protocols);
  if (auto v = pick(&directives::SslProxySide::check_peer_name)) o.check_peer_name = *v;
  if (auto v = pick(&directives::SslProxySide::check_peer_expire)) o.check_peer_expire = *v;
  return o;
}

BackendTlsContext::BackendTlsContext(BackendTlsOptions opt, std::unique_ptr<Impl> impl)
    : options_(std::move(opt)), impl_(std::move(impl)) {}

BackendTlsContext::~BackendTlsContext() = default;

void* BackendTlsContext::native() const noexcept {
  return &impl_->ctx;
}

std::shared_ptr<const BackendTlsContext> BackendTlsContext::create(const BackendTlsOptions& opt,
                                                                   std::string& error) {
  auto impl = std::make_unique<Impl>();
  SSL_CTX* ctx = impl->ctx.native_handle();
  boost::system::error_code ec;
  impl->ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_compression,
                        ec);
  if (opt.protocols) {
    using namespace directives;
    const unsigned p = *opt.protocols;
    int lo = 0, hi = 0;
    if (p & SSL_PROTO_TLSV1) lo = lo ? lo : TLS1_VERSION, hi = TLS1_VERSION;
    if (p & SSL_PROTO_TLSV1_1) lo = lo ? lo : TLS1_1_VERSION, hi = TLS1_1_VERSION;
    if (p & SSL_PROTO_TLSV1_2) lo = lo ? lo : TLS1_2_VERSION, hi = TLS1_2_VERSION;
    if (p & SSL_PROTO_TLSV1_3) lo = lo ? lo : TLS1_3_VERSION, hi = TLS1_3_VERSION;
    if (lo) {
      SSL_CTX_set_min_proto_version(ctx, lo);
      SSL_CTX_set_max_proto_version(ctx, hi);
    }
  }
  if (!opt.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, opt.ciphers.c_str()) != 1) {
    error = "bad SSLProxyCipherSuite: " + opt.ciphers;
    return nullptr;
  }
  if (!opt.ca_file.empty() || !opt.ca_path.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, opt.ca_file.empty() ? nullptr : opt.ca_file.c_str(),
                                      opt.ca_path.empty() ? nullptr : opt.ca_path.c_str()) != 1) {
      error = "cannot load SSLProxyCACertificate " + (opt.ca_file.empty() ? opt.ca_path : opt.ca_file);
      return nullptr;
    }
  } else if (opt.verify) {
    SSL_CTX_set_default_verify_paths(ctx);
  }
  if (!opt.client_cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, opt.client_cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, opt.client_cert_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      error = "cannot load SSLProxyMachineCertificateFile " + opt.client_cert_file;
      return nullptr;
    }
  }
  SSL_CTX_set_verify(ctx, opt.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_verify_depth(ctx, opt.verify_depth);
  return std::shared_ptr<const BackendTlsContext>(new BackendTlsContext(opt, std::move(impl)));
}

} // namespace balancerd::backend
