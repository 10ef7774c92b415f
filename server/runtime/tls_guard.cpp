#include "server/runtime/tls_guard.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "server/log/log_set.hpp"

namespace balancerd::runtime {

namespace {

void add_if_tls(const directives::ServerConf& s, std::string name, std::vector<TlsServer>& out) {
  const auto& ssl = *s.ssl;
  if (ssl.engine != directives::SslEngine::On && ssl.engine != directives::SslEngine::Optional) return;
  out.push_back(TlsServer{std::move(name), ssl.engine_file, ssl.engine_line,
                          ssl.engine == directives::SslEngine::On ? "on" : "optional"});
}

std::string vhost_name(const directives::ServerConf& v) {
  std::string name = "<VirtualHost";
  for (const auto& a : v.core.addresses) name.append(" ").append(a.text);
  name.push_back('>');
  if (!v.file.str().empty())
    name.append(" (").append(v.file.str()).append(":").append(std::to_string(v.line)).append(")");
  return name;
}

std::string where(const TlsServer& s) {
  return s.engine_file + ":" + std::to_string(s.engine_line);
}

void log_line(const log::LogSet& logs, int level, const std::string& text) {
  log::ErrorEvent ev;
  ev.module = log::mod::ssl;
  ev.level = level;
  ev.when = std::chrono::system_clock::now();
  ev.pid = static_cast<long>(::getpid());
  ev.tid = ev.pid;
  logs.main().error_log->write(ev, text);
}

} // namespace

std::vector<TlsServer> servers_with_client_tls(const directives::Config& config) {
  std::vector<TlsServer> out;
  add_if_tls(config.main, "the main server", out);
  for (const auto& v : config.vhosts) add_if_tls(v, vhost_name(v), out);
  return out;
}

std::string plaintext_tls_warning(const TlsServer& s) {
  return s.name + " has SSLEngine " + s.engine_value + " at " + where(s) +
         ", but TLS termination toward clients is not implemented: its address would be served in plaintext";
}

std::string plaintext_tls_refusal(const TlsServer& s) {
  return "SSLEngine " + s.engine_value + " at " + where(s) + " in " + s.name +
         ": TLS termination toward clients is not implemented; refusing to serve it in plaintext (start with "
         "-D " +
         std::string(kAllowPlaintextTls) + " to serve it anyway)";
}

bool refuse_plaintext_tls(const directives::Config& config, const std::vector<std::string>& defines,
                          const log::LogSet& logs, std::ostream& err) {
  const auto servers = servers_with_client_tls(config);
  if (servers.empty()) return false;
  if (logs.main().levels.enabled(log::mod::ssl, log::kWarn))
    for (const auto& s : servers) log_line(logs, log::kWarn, plaintext_tls_warning(s));
  if (std::find(defines.begin(), defines.end(), kAllowPlaintextTls) != defines.end()) return false;
  for (const auto& s : servers) {
    const std::string text = plaintext_tls_refusal(s);
    log_line(logs, log::kEmerg, text);
    err << text << "\n";
  }
  err << "AH00016: Configuration Failed" << std::endl;
  return true;
}

} // namespace balancerd::runtime
