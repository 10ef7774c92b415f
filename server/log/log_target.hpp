#pragma once
// Where log lines go: an append-only file, a piped program or syslog. Targets are opened once (before
// privileges are dropped) and shared by every thread; write() takes whole lines.
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace balancerd::log {

class LogTarget {
public:
  virtual ~LogTarget() = default;
  // One or more complete lines ending in '\n'. `level` is the error-log level (-1 for access logs);
  // only syslog uses it.
  virtual void write(std::string_view lines, int level = -1) = 0;
  // Graceful reload: files are reopened (rotation), pipes and syslog stay as they are.
  virtual void reopen() {}
  virtual bool is_syslog() const { return false; }
};

// Opening a log failed; what() is Apache's text ("(13)Permission denied: AH00091: ...").
class LogOpenError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

enum class LogKind { Error, Access };

// "|prog", "||prog", "|$prog", "syslog[:facility]" (error logs only, as in Apache) or a file path
// (already ServerRoot-resolved by the config model). `program` is the syslog ident.
std::shared_ptr<LogTarget> open_log_target(std::string_view spec, LogKind kind,
                                           std::string_view program = "balancerd");

} // namespace balancerd::log
