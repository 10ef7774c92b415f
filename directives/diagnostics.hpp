#pragma once
// Where config-time warnings and log lines go. The program prints them to stderr as they come (Apache
// logs to stderr until the error log is open); tests read them back from records().
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives {

struct LogRecord {
  std::string module; // short name as Apache prints it: "core", "so", "proxy"
  std::string level;  // "warn", "error", "debug", "trace5"...
  std::string text;   // "AH01574: module x is already loaded, skipping"
  bool plain = false; // a startup message printed without the "[time] [mod:level] [pid]" prefix
};

class Diagnostics {
public:
  using Sink = std::function<void(const LogRecord&)>;
  explicit Diagnostics(std::string program = "balancerd", Sink sink = {})
      : program_(std::move(program)), sink_(std::move(sink)) {}

  // A log line with Apache's error-log prefix.
  void log(std::string_view module, std::string_view level, std::string_view text);
  // A startup message printed as is (AH00558, AH00511...).
  void plain(std::string_view text);

  const std::string& program() const { return program_; }
  const std::vector<LogRecord>& records() const { return records_; }

private:
  void emit(LogRecord record);
  std::string program_;
  Sink sink_;
  std::vector<LogRecord> records_;
};

// Apache's numeric order of levels: emerg=0 ... debug=7, trace1=8 ... trace8=15; -1 if unknown.
int log_level_value(std::string_view level);

// Apache's error-log escaping of a message: backslash doubled, \b \n \r \t \v as such, other
// control and non-ASCII bytes as \xhh ('"' stays as is).
std::string escape_log_text(std::string_view text);

// "[Tue Nov 24 04:07:01.346718 2026] [core:warn] [pid 8612:tid 8612] TEXT", or TEXT for a plain record.
std::string format_log_line(const LogRecord& record, std::chrono::system_clock::time_point when, long pid,
                            long tid);
// Same with the current time and this process's pid/tid.
std::string format_log_line(const LogRecord& record);

} // namespace balancerd::directives
