#include "server/runtime/tls_guard.hpp"

#include <unistd.h>

#include <chrono>

#include "server/log/log_set.hpp"
#include "server/log/request_log_view.hpp"
#include "server/net/tls_context.hpp"

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

void log_line(const log::LogSet& logs, int level, const std::string& text) {
  if (!logs.main().levels.enabled(log::mod::ssl, level)) return;
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

bool setup_client_tls(const directives::Config& config, const std::string& main_name, const log::LogSet& logs,
                      std::ostream& err, std::shared_ptr<const net::TlsContexts>& out,
                      std::shared_ptr<const log::LogSet> keep) {
  std::vector<net::TlsSetupMessage> failure;
  net::TlsContexts::Logger logger;
  if (keep)
    logger = [keep](int level, std::string_view ip, unsigned short port, std::string_view text) {
      const auto& main = keep->main();
      if (!main.levels.enabled(log::mod::ssl, level)) return;
      log::ConnLogView conn;
      conn.peer_ip = ip;
      conn.peer_port = port;
      log::ErrorEvent ev;
      ev.module = log::mod::ssl;
      ev.level = level;
      if (!ip.empty()) ev.conn = &conn;
      ev.when = std::chrono::system_clock::now();
      ev.pid = static_cast<long>(::getpid());
      ev.tid = static_cast<long>(::gettid());
      main.error_log->write(ev, text);
    };
  out = net::TlsContexts::build(config, main_name, failure, std::move(logger));
  if (failure.empty()) return true;
  out.reset();
  for (const auto& m : failure) log_line(logs, m.level, m.text);
  err << "AH00016: Configuration Failed" << std::endl;
  return false;
}

} // namespace balancerd::runtime
