#pragma once
// Error-log lines: Apache's default layout and ErrorLogFormat, compiled once and rendered into a
// reused buffer. Fields are separated by unescaped spaces (or "% "); a field whose item comes out
// empty is left out whole unless the item has the '-' modifier (then "-"); "%7F" renders only for
// messages at level 7 (debug) or above.
#include "server/log/log_level.hpp"
#include "server/log/request_log_view.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::log {

// Everything a line can show besides its message.
struct ErrorEvent {
  ModuleIndex module = mod::core;
  int level = kError;
  int os_error = 0;      // %E: errno, 0 for none
  std::string_view file; // %F: source file base name ("" -> left out)
  int line = 0;
  const RequestLogView* request = nullptr; // request-scope line: client, headers, log id...
  const ConnLogView* conn = nullptr;       // connection-scope line (or request->conn)
  std::string_view server_name;            // %v when there is no request
  std::chrono::system_clock::time_point when;
  long pid = 0;
  long tid = 0;
};

class ErrorLineFormat {
public:
  // ErrorLogFormat's argument; on a bad item returns nullopt and sets *error.
  static std::optional<ErrorLineFormat> compile(std::string_view format, std::string* error = nullptr);
  // Apache's built-in layout: "[%{u}t] [%-m:%l] [pid %P:tid %{g}T] %7F: %E: [client\ %a] %M%
  // ,\ referer:\ %{Referer}i"
  static const ErrorLineFormat& apache_default();
  // The same without the time (syslog adds its own).
  static const ErrorLineFormat& apache_syslog_default();

  // Appends the line (no '\n') to `out`.
  void render(const ErrorEvent& event, std::string_view message, std::string& out) const;

  struct Item {
    char code = 0;    // 0: literal
    std::string text; // literal text or the {argument}
    bool dash = false;
    int min_level = -1;
    bool field_start = false;
  };
  const std::vector<Item>& items() const { return items_; }

private:
  std::vector<Item> items_;
};

// "Tue Nov 24 05:50:47.460633 2026" (micros) or "Tue Nov 24 05:50:47 2026", local time.
void append_ctime(std::string& out, std::chrono::system_clock::time_point when, bool micros);

} // namespace balancerd::log
