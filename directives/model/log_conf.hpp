#pragma once
// Slot for mod_log_config (+ mod_logio's format items): LogFormat nicknames and access logs, with
// each format compiled into a list of items.
#include "directives/expr/expr.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace balancerd::directives {

// One %-directive of a log format, or literal text.
struct LogFormatItem {
  bool literal = true;
  std::string text;              // literal text (escapes applied)
  std::string tag;               // "h", "s", "t", "^ti"... (literal == false)
  std::string arg;               // the {argument}, "" if none
  bool want_original = false;    // '<' (default for most items)
  bool want_final = false;       // '>'
  std::vector<int> statuses;     // "%400,501{...}i": only log for these statuses
  bool statuses_negated = false; // "%!200,304..."
};

struct LogFormat {
  std::string source; // the format string as written
  std::vector<LogFormatItem> items;
};

struct LogCondition {
  enum class Kind { None, Env, EnvNot, Expr };
  Kind kind = Kind::None;
  std::string env;
  std::shared_ptr<const expr::Expr> expr;
};

struct AccessLog {
  std::string target; // file path (ServerRoot-relative resolved), "|cmd", or "syslog..."
  bool piped = false;
  std::string format_name;      // nickname used, if the format was given by name
  LogFormat format;             // resolved if it was inline or the nickname was known at that point
  bool format_resolved = false; // false: nickname unknown when read (Apache resolves it at open)
  LogCondition condition;
  bool global = false; // GlobalLog
  std::string file;
  unsigned line = 0;
};

struct LogServerConf {
  std::map<std::string, LogFormat> formats; // LogFormat "fmt" nickname
  std::optional<LogFormat> default_format;  // LogFormat "fmt" (no nickname): TransferLog's
  std::vector<AccessLog> logs;              // CustomLog / TransferLog / GlobalLog in order
  std::optional<bool> buffered;
  std::optional<bool> track_ttfb; // LogIOTrackTTFB
};

struct LogDirConf {
  std::optional<bool> track_ttfb;
};

} // namespace balancerd::directives
