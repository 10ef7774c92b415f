#pragma once
// Inside TlsContexts (tls_context.cpp, tls_session.cpp only: it includes OpenSSL).
#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "server/net/tls_context.hpp"
#include "server/net/tls_facts.hpp"
#include "server/runtime/vhost_selector.hpp"

namespace balancerd::net {

// One server's context and what SNI needs to know of it.
struct TlsServerContext {
  SSL_CTX* ctx = nullptr; // null: SSLEngine off for this server
  bool strict_sni = false;
  std::string setup; // the merged settings that matter to compatible(), as one comparable string
  std::string name;  // "localhost:443", as mod_ssl names the server in its connection lines
};

struct TlsContexts::Impl {
  explicit Impl(const directives::Config& config, const std::string& main_name)
      : selector(config, main_name) {}
  ~Impl();
  runtime::VhostSelector selector;
  std::vector<TlsServerContext> servers; // [0] the main server, [i + 1] vhost i
  TlsContexts::Logger logger;
  const TlsServerContext& server(int index) const { return servers[static_cast<std::size_t>(index + 1)]; }
};

// What an SSL object carries (SSL_get_app_data), for the SNI callback and the facts.
struct TlsConnState {
  TlsBinding binding;
  TlsFacts facts;
};

} // namespace balancerd::net
