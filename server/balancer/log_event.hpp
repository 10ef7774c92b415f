#pragma once
// A log line the balancer logic wants written, with Apache's AH id and text, for the caller (which
// knows the request and the configured LogLevel) to emit at proxy_balancer's / proxy's level.
#include <string>

namespace balancerd::balancer {

enum class LogSeverity { Error, Warn, Info, Debug };

struct LogEvent {
  LogSeverity severity = LogSeverity::Error;
  std::string text; // "AH01170: balancer://app: All workers are in error state"
  bool operator==(const LogEvent&) const = default;
};

} // namespace balancerd::balancer
