#pragma once
// balancerd does not terminate TLS toward clients yet (only TLS toward backends exists). A server
// with SSLEngine on (or optional) would otherwise be served in plaintext on the address the operator
// configured for TLS, which is worse than not starting: start-up logs one warning per such server
// and refuses to start, unless the operator passed -D BALANCERD_ALLOW_PLAINTEXT_TLS.
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "directives/model/config.hpp"

namespace balancerd::log {
class LogSet;
}

namespace balancerd::runtime {

inline constexpr std::string_view kAllowPlaintextTls = "BALANCERD_ALLOW_PLAINTEXT_TLS";

struct TlsServer {
  std::string name;        // "<VirtualHost 127.0.0.1:8443>" or "the main server"
  std::string engine_file; // where its SSLEngine in force was written
  unsigned engine_line = 0;
  std::string engine_value; // "on" or "optional"
};

// The servers (main server first, then vhosts in config order) whose SSLEngine is on or optional.
std::vector<TlsServer> servers_with_client_tls(const directives::Config& config);

// The warning logged for `s` ("<VirtualHost ...> has SSLEngine on at FILE:LINE, but ...").
std::string plaintext_tls_warning(const TlsServer& s);
// The reason start-up is refused for `s`, naming FILE:LINE and the way out.
std::string plaintext_tls_refusal(const TlsServer& s);

// Logs the warnings to the main error log; when `defines` (-D names) lacks kAllowPlaintextTls and
// some server has TLS, also logs and prints to `err` the refusal and "AH00016: Configuration Failed",
// and returns true: the caller exits 1.
bool refuse_plaintext_tls(const directives::Config& config, const std::vector<std::string>& defines,
                          const log::LogSet& logs, std::ostream& err);

} // namespace balancerd::runtime
