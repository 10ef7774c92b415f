#pragma once
// TLS toward https:// backends (mod_ssl's SSLProxy* side): one client context per worker, built
// from the effective SSLProxy* settings, and the checks Apache makes after the handshake whatever
// SSLProxyVerify says: SSLProxyCheckPeerName (default On) and SSLProxyCheckPeerExpire (default On).
// No OpenSSL or Asio in this header.
#include <memory>
#include <optional>
#include <string>

namespace balancerd::directives {
struct SslProxySide;
}

namespace balancerd::backend {

struct BackendTlsOptions {
  bool verify = false;               // SSLProxyVerify require (optional counts as require here)
  int verify_depth = 1;              // SSLProxyVerifyDepth
  std::string ca_file;               // SSLProxyCACertificateFile
  std::string ca_path;               // SSLProxyCACertificatePath
  std::string client_cert_file;      // SSLProxyMachineCertificateFile (certificate and key, PEM)
  std::string ciphers;               // SSLProxyCipherSuite (TLSv1.2 and below)
  std::optional<unsigned> protocols; // SSLProxyProtocol bits (directives::SslProtocolBits)
  bool check_peer_name = true;       // SSLProxyCheckPeerName
  bool check_peer_expire = true;     // SSLProxyCheckPeerExpire

  // The effective settings: the <Proxy> section's SSLProxy* over the server's (dir may be null).
  static BackendTlsOptions from_config(const directives::SslProxySide& server,
                                       const directives::SslProxySide* dir);
  bool operator==(const BackendTlsOptions&) const = default;
};

class BackendTlsContext {
public:
  // Null with `error` set when a file cannot be loaded or the cipher list is bad.
  static std::shared_ptr<const BackendTlsContext> create(const BackendTlsOptions& opt, std::string& error);
  ~BackendTlsContext();
  const BackendTlsOptions& options() const noexcept { return options_; }
  void* native() const noexcept; // the boost::asio::ssl::context (for the connection's stream)

private:
  struct Impl;
  BackendTlsContext(BackendTlsOptions opt, std::unique_ptr<Impl> impl);
  BackendTlsOptions options_;
  std::unique_ptr<Impl> impl_;
};

} // namespace balancerd::backend
