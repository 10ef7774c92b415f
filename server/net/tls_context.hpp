#pragma once
// The TLS contexts of one configuration, as mod_ssl builds them at start-up: one per server whose
// SSLEngine is on (mod_ssl merges SSLEngine and the SSL* settings of the main server into each
// vhost), with its certificates, SSLProtocol, SSLCipherSuite, client-certificate checks and
// SSLOpenSSLConfCmd. Whether a connection speaks TLS is decided as mod_ssl does: by the server its
// local address selects (the first vhost of the address, else the main server). The SNI name then
// picks the name-based vhost whose certificate the handshake presents.
// Built with the configuration snapshot; a reload builds new ones while open connections keep theirs
// (shared_ptr). No OpenSSL type shows here.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives {
struct Config;
}

namespace balancerd::net {

class TlsContexts;

// "OpenSSL/3.0.22": what mod_ssl adds to the server banner (ServerTokens Full) when it is loaded.
std::string tls_library_component();

// What a connection needs to start its handshake: the contexts and the servers of its address.
struct TlsBinding {
  const TlsContexts* contexts = nullptr; // null: a plaintext connection
  int server = -1;                       // the address's base server (-1: the main server)
  const void* chain = nullptr;           // the address's name chain (VhostSelector::Chain), for SNI
  explicit operator bool() const noexcept { return contexts != nullptr; }
};

// One line of a start-up failure, as mod_ssl logs it.
struct TlsSetupMessage {
  int level = 0; // log level (log::kEmerg, kError...)
  std::string text;
};

class TlsContexts {
public:
  ~TlsContexts();
  TlsContexts(const TlsContexts&) = delete;
  TlsContexts& operator=(const TlsContexts&) = delete;

  // Builds the contexts; null when no server has SSLEngine on ("optional" serves plaintext, as in
  // apache2 2.4.71). A certificate or key
  // that cannot be used fills `failure` with mod_ssl's lines and returns null: start-up exits 1.
  // Where connection-level lines go (a failed handshake, at info): level, client address and port,
  // text. Empty: nowhere.
  using Logger = std::function<void(int level, std::string_view client_ip, unsigned short client_port,
                                    std::string_view text)>;
  static std::shared_ptr<const TlsContexts> build(const directives::Config& config,
                                                  const std::string& main_name,
                                                  std::vector<TlsSetupMessage>& failure, Logger logger = {});

  // mod_ssl's info lines for a handshake that failed on a connection bound to `server`: AH01996 for
  // plain HTTP, else AH02008, each followed by OpenSSL's reason.
  void log_handshake_failure(int server, std::string_view client_ip, unsigned short client_port,
                             bool plain_http, const std::string& reason) const;

  // The binding of a connection accepted on this local address (numeric IP); false: plaintext.
  TlsBinding for_local(std::string_view local_ip, unsigned short port) const;

  // Whether servers `a` and `b` (-1: the main server) have the same TLS setup (certificates,
  // protocols, ciphers, client verification), so that a connection whose handshake was made for one
  // may serve requests for the other; else mod_ssl answers 421 (AH02032).
  bool compatible(int a, int b) const;
  // SSLStrictSNIVHostCheck of server `s` (false for a server without TLS).
  bool strict_sni(int s) const;

  struct Impl; // tls_context.cpp; tls_session.cpp reaches the OpenSSL contexts through it
  const Impl& impl() const noexcept { return *impl_; }

private:
  explicit TlsContexts(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace balancerd::net
