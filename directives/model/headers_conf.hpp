#pragma once
// Slot for mod_headers: the Header / RequestHeader rules of one per-dir level, compiled.
#include "directives/expr/expr.hpp"
#include "directives/model/regex.hpp"
#include "directives/model/source_file.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace balancerd::directives {

enum class HeaderAction { Set, SetIfEmpty, Append, Merge, Add, Unset, Echo, Edit, EditAll, Note };

// Which table a rule works on, and when (Apache keeps one list per case).
enum class HeaderTable {
  Request,         // RequestHeader
  ResponseSuccess, // Header [onsuccess]: the normal response headers
  ResponseAlways,  // Header always: also error responses (err_headers_out)
};

// One piece of a Header value: literal text or a %-specifier.
struct HeaderFormatItem {
  enum class Kind {
    Literal,  // text
    Time,     // %t: "t=<microseconds since epoch>"
    Duration, // %D: "D=<microseconds since request start>"
    Env,      // %{NAME}e
    Ssl,      // %{NAME}s (mod_ssl variable)
    LoadAvg,  // %l: "l=<1m>/<5m>/<15m>"
    Idle,     // %i: "i=<idle workers percentage>"
    Busy,     // %b: "b=<busy workers percentage>"
  };
  Kind kind = Kind::Literal;
  std::string text; // literal text, or the {argument}
};

struct HeaderCondition {
  enum class Kind { None, Early, Env, Expr };
  Kind kind = Kind::None;
  std::string env;                        // Env: variable name
  bool env_negated = false;               // env=!NAME
  std::shared_ptr<const expr::Expr> expr; // Expr
};

struct HeaderRule {
  HeaderTable table = HeaderTable::ResponseSuccess;
  HeaderAction action = HeaderAction::Set;
  std::string header;                           // name up to any ':' (Apache drops the rest)
  std::vector<HeaderFormatItem> value;          // unless value_expr is set
  std::shared_ptr<const expr::Expr> value_expr; // value given as "expr=..."
  std::optional<Regex> regex;                   // Edit/EditAll: the match; Echo: header-name pattern
  std::string replacement;                      // Edit/EditAll ($1.. references, as ap_pregsub)
  HeaderCondition condition;
  SourceFile file;
  unsigned line = 0;
};

struct HeadersDirConf {
  std::vector<HeaderRule> rules; // in config order; `table` and `condition.kind == Early` sort them out
};

} // namespace balancerd::directives
