#pragma once
// Start-up's TLS toward clients (mod_ssl's post-config step): the servers with SSLEngine on get their
// contexts (certificates, keys, protocols, ciphers) built before anything is served; a certificate
// or key that cannot be used is logged with mod_ssl's messages and start-up fails with
// "AH00016: Configuration Failed", as apache2 exits 1 then. (Before balancerd terminated TLS this
// refused every SSLEngine on; what it cannot do now is only logged: per-directory SSLVerifyClient
// and SSLCipherSuite, which mod_ssl enforces by renegotiating.)
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "directives/model/config.hpp"

namespace balancerd::log {
class LogSet;
}
namespace balancerd::net {
class TlsContexts;
}

namespace balancerd::runtime {

struct TlsServer {
  std::string name;        // "<VirtualHost 127.0.0.1:8443>" or "the main server"
  std::string engine_file; // where its SSLEngine in force was written
  unsigned engine_line = 0;
  std::string engine_value; // "on" or "optional"
};

// The servers (main server first, then vhosts in config order) whose own SSLEngine is on or optional.
std::vector<TlsServer> servers_with_client_tls(const directives::Config& config);

// Builds the TLS contexts of `config` into `out` (null when no server has TLS). False when one
// cannot be built: mod_ssl's lines went to the main error log, "AH00016: Configuration Failed" to
// `err`, and the caller exits 1 (a reload keeps the running configuration).
// `keep`: the same logs, held by the contexts for their connections' lines (a failed handshake at
// info); null: those lines are not logged.
bool setup_client_tls(const directives::Config& config, const std::string& main_name, const log::LogSet& logs,
                      std::ostream& err, std::shared_ptr<const net::TlsContexts>& out,
                      std::shared_ptr<const log::LogSet> keep = nullptr);

} // namespace balancerd::runtime
