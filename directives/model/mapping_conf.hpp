#pragma once
// Slot for mod_alias, mod_dir, mod_mime.
#include "directives/expr/expr.hpp"
#include "directives/model/regex.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace balancerd::directives {

struct AliasRule {
  enum class Kind { Alias, ScriptAlias, Redirect };
  Kind kind = Kind::Alias;
  std::string fake;           // URL path (or regex source for *Match)
  std::optional<Regex> regex; // *Match
  std::string real;           // file path or redirect target ("" for a status without URL)
  int status = 0;             // Redirect: HTTP status
  std::string file;
  unsigned line = 0;
};

// Alias/Redirect inside a <Location>: the path is the section's.
struct DirAlias {
  AliasRule::Kind kind = AliasRule::Kind::Alias;
  std::string real;                            // target, or
  std::shared_ptr<const expr::Expr> real_expr; // "expr=..." target
  int status = 0;
};

struct MappingServerConf {
  std::vector<AliasRule> aliases;          // Alias, ScriptAlias, AliasMatch, ScriptAliasMatch in order
  std::vector<AliasRule> redirects;        // Redirect*, RedirectMatch at server/vhost level in order
  std::optional<std::string> types_config; // TypesConfig (resolved against ServerRoot)
};

struct MimeMapping {
  enum class Kind { Type, Handler, Charset, Encoding, Language, InputFilter, OutputFilter };
  Kind kind = Kind::Type;
  std::string value;                   // the type/handler/...; "" for a Remove*
  std::vector<std::string> extensions; // lower-cased, without the leading dot
  bool remove = false;
};

struct MappingDirConf {
  std::vector<AliasRule> redirects;  // Redirect*/RedirectMatch inside per-dir sections
  std::optional<DirAlias> dir_alias; // Alias/ScriptAlias/Redirect with the path implied
  std::optional<bool> alias_preserve_path;
  std::optional<bool> redirect_relative;
  // mod_dir
  std::optional<std::vector<std::string>> directory_index; // empty vector: "disabled"
  std::optional<bool> directory_slash;
  std::optional<std::string> fallback_resource; // "disabled" kept as written
  std::optional<bool> directory_check_handler;
  std::optional<int> directory_index_redirect; // 0 = off
  // mod_mime
  std::vector<MimeMapping> mime; // in config order
  std::optional<std::string> default_language;
  std::vector<std::string> multiviews_match;
  std::optional<bool> use_path_info;
};

} // namespace balancerd::directives
