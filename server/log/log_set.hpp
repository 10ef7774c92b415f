#pragma once
// All logs of a config, opened the way Apache opens them at startup (before privileges are dropped):
// the main server's ErrorLog (default ServerRoot/logs/error_log) and access logs; a vhost with its own
// ErrorLog gets its own, else the main one; a vhost with CustomLog/TransferLog gets only its own access
// logs, else the main server's; GlobalLog entries apply to every server. Files with the same path
// share one descriptor.
#include "directives/model/config.hpp"
#include "server/log/access_log.hpp"
#include "server/log/error_log.hpp"

#include <memory>
#include <string>
#include <vector>

namespace balancerd::log {

struct ServerLogs {
  std::shared_ptr<ErrorLog> error_log;
  std::vector<std::shared_ptr<AccessLog>> access_logs;
  LevelTable levels; // the server's own LogLevel merged over the main server's

  // Runs every access log of this server for a finished request.
  void log_request(const RequestLogView& request) const {
    for (const auto& l : access_logs) l->log(request);
  }
};

struct LogSetOptions {
  std::string program = "balancerd"; // syslog ident
  LogExprEval expr_eval;             // CustomLog expr= conditions
};

// The main server's error log when it names none (ServerRoot/logs/error_log, as Debian's apache2
// defaults it); the privileged helper's check allows it too.
std::string default_error_log(const directives::Config& config);

class LogSet {
public:
  // Throws LogOpenError (Apache's text) if a file cannot be opened or a program started, and
  // std::invalid_argument for a bad ErrorLogFormat.
  static LogSet open(const directives::Config& config, const LogSetOptions& options = {});

  const ServerLogs& main() const { return servers_.front(); }
  // Index 0 is the main server, i + 1 the config's vhost i.
  const ServerLogs& server(std::size_t index) const { return servers_.at(index); }
  std::size_t size() const { return servers_.size(); }

  void flush() const;
  void flush_older_than(std::chrono::steady_clock::duration age) const;
  // Graceful reload keeping this set: files are reopened (after rotation).
  void reopen() const;

private:
  std::vector<ServerLogs> servers_;
  std::vector<std::shared_ptr<AccessLog>> all_access_;
  std::vector<std::shared_ptr<ErrorLog>> all_error_;
};

} // namespace balancerd::log
