#pragma once
// The error log of one server (main or vhost): its destination, line format and levels. Hot-path use:
//
//   BD_ERROR_LOG(elog, levels, log::mod::proxy, log::kError, &request_view, "AH01114: HTTP: failed to make "
//                "connection to backend: {}", host);
//
// The macro tests `levels.enabled(module, level)` first; nothing is formatted, copied or allocated
// when the level is off. When on, the message and the line are built in a thread-local buffer that is
// reused, and written with one write() (whole lines, O_APPEND).
#include "server/log/error_format.hpp"
#include "server/log/log_level.hpp"
#include "server/log/log_target.hpp"

#include <fmt/format.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace balancerd::log {

class ErrorLog {
public:
  // `format`: ErrorLogFormat's string if set (throws std::invalid_argument on a bad one). `levels`:
  // the server's own LogLevel (per-request levels are passed to each call).
  ErrorLog(std::shared_ptr<LogTarget> target, const std::optional<std::string>& format, LevelTable levels,
           std::string server_name = {});

  const LevelTable& levels() const { return levels_; }
  bool enabled(ModuleIndex m, int level) const { return levels_.enabled(m, level); }
  LogTarget& target() const { return *target_; }
  const std::shared_ptr<LogTarget>& target_ptr() const { return target_; }
  const std::string& server_name() const { return server_name_; }

  // Formats and writes one line (no level check: callers check first, the macros do).
  void write(ErrorEvent event, std::string_view message) const;

  // fmt-style message; checks `levels` first.
  template <class... Args>
  void log(const LevelTable& levels, ErrorEvent event, fmt::format_string<Args...> format,
           Args&&... args) const {
    if (!levels.enabled(event.module, event.level)) return;
    write_vformat(event, format, fmt::make_format_args(args...));
  }

  void reopen() const { target_->reopen(); }

  // Formatting work done so far in this process (lines rendered); tests use it to prove disabled
  // levels cost nothing.
  static unsigned long lines_formatted();

private:
  void write_vformat(ErrorEvent event, fmt::string_view format, fmt::format_args args) const;

  std::shared_ptr<LogTarget> target_;
  std::optional<ErrorLineFormat> custom_;
  const ErrorLineFormat* format_;
  LevelTable levels_;
  std::string server_name_;
};

// "proxy_util.cpp" from __FILE__.
constexpr std::string_view source_base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

} // namespace balancerd::log

// `request`: a const RequestLogView* (or nullptr). The message is a fmt format string.
#define BD_ERROR_LOG(bd_elog_, bd_levels_, bd_module_, bd_level_, bd_request_, ...)                          \
  do {                                                                                                       \
    if ((bd_levels_).enabled((bd_module_), (bd_level_))) {                                                   \
      ::balancerd::log::ErrorEvent bd_log_event_;                                                            \
      bd_log_event_.module = (bd_module_);                                                                   \
      bd_log_event_.level = (bd_level_);                                                                     \
      bd_log_event_.file = ::balancerd::log::source_base_name(__FILE__);                                     \
      bd_log_event_.line = __LINE__;                                                                         \
      bd_log_event_.request = (bd_request_);                                                                 \
      (bd_elog_).log((bd_levels_), bd_log_event_, __VA_ARGS__);                                              \
    }                                                                                                        \
  } while (0)
