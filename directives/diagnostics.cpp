#include "directives/diagnostics.hpp"

#include "directives/ci_string.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <sys/syscall.h>
#include <unistd.h>

namespace balancerd::directives {

void Diagnostics::log(std::string_view module, std::string_view level, std::string_view text) {
  emit(LogRecord{std::string(module), std::string(level), std::string(text), false});
}

void Diagnostics::plain(std::string_view text) {
  emit(LogRecord{"", "", std::string(text), true});
}

void Diagnostics::emit(LogRecord record) {
  if (sink_) sink_(record);
  records_.push_back(std::move(record));
}

int log_level_value(std::string_view level) {
  static constexpr std::array<std::string_view, 16> names = {
      "emerg",  "alert",  "crit",   "error",  "warn",   "notice", "info",   "debug",
      "trace1", "trace2", "trace3", "trace4", "trace5", "trace6", "trace7", "trace8"};
  for (std::size_t i = 0; i < names.size(); ++i)
    if (ci_equal(level, names[i])) return static_cast<int>(i);
  return -1;
}

std::string escape_log_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
    case '\\':
      out += "\\\\";
      continue;
    case '\b':
      out += "\\b";
      continue;
    case '\n':
      out += "\\n";
      continue;
    case '\r':
      out += "\\r";
      continue;
    case '\t':
      out += "\\t";
      continue;
    case '\v':
      out += "\\v";
      continue;
    default:
      break;
    }
    if (c < 0x20 || c >= 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string format_log_line(const LogRecord& record, std::chrono::system_clock::time_point when, long pid,
                            long tid) {
  if (record.plain) return record.text;
  using namespace std::chrono;
  const auto since = when.time_since_epoch();
  const std::time_t secs = duration_cast<seconds>(since).count();
  const long micros = static_cast<long>(duration_cast<microseconds>(since).count() % 1000000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a %b %d %H:%M:%S", &tm);
  char year[16];
  std::strftime(year, sizeof year, "%Y", &tm);
  char prefix[160];
  std::snprintf(prefix, sizeof prefix, "[%s.%06ld %s] [%s:%s] [pid %ld:tid %ld] ", date, micros, year,
                record.module.c_str(), record.level.c_str(), pid, tid);
  return prefix + escape_log_text(record.text);
}

std::string format_log_line(const LogRecord& record) {
  return format_log_line(record, std::chrono::system_clock::now(), static_cast<long>(::getpid()),
                         static_cast<long>(::syscall(SYS_gettid)));
}

} // namespace balancerd::directives
