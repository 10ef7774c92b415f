// mod_rewrite: RewriteEngine, RewriteOptions, RewriteBase, RewriteCond, RewriteRule and RewriteMap
// checked with Apache's messages (verified against apache2 2.4.71). Nothing is recorded in the model:
// balancerd does not rewrite at run time yet, so the directives are Support::Unsupported.
#include "directives/modules/http_rewrite.hpp"

#include "directives/cmd_parms.hpp"
#include "directives/dispatcher.hpp"
#include "directives/expr/expr.hpp"
#include "directives/model/regex.hpp"
#include "directives/modules/http_util.hpp"
#include "parser/words.hpp"

#include <array>
#include <cctype>
#include <filesystem>
#include <system_error>

namespace balancerd::directives::http {
namespace {

bool is_blank(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// One word of mod_rewrite's splitter starting at `i`; leaves `i` on the character that ended it
// (blank, closing quote) or at the end.
std::string take_word(std::string_view s, std::size_t& i) {
  char quote = '\0';
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) quote = s[i++];
  std::size_t start = i;
  for (; i < s.size(); ++i) {
    if ((is_blank(s[i]) && !quote) || (quote && s[i] == quote)) break;
    if (s[i] == '\\' && i + 1 < s.size() && is_blank(s[i + 1])) ++i; // "\ " stays in the word
  }
  return std::string(s.substr(start, i - start));
}

void skip_blanks(std::string_view s, std::size_t& i) {
  while (i < s.size() && is_blank(s[i])) ++i;
}

// Splits "[A,B=v,...]" into (key, value) pairs, empty pieces included (Apache reports them as
// unknown flag ''). False on missing brackets.
bool flag_pieces(std::string_view field, std::vector<std::pair<std::string, std::string>>& out) {
  if (field.size() < 2 || field.front() != '[' || field.back() != ']') return false;
  std::string_view body = field.substr(1, field.size() - 2);
  while (true) {
    std::size_t comma = body.find(',');
    std::string_view piece = body.substr(0, comma);
    std::size_t eq = piece.find('=');
    if (eq == std::string_view::npos)
      out.emplace_back(std::string(piece), std::string());
    else
      out.emplace_back(std::string(piece.substr(0, eq)), std::string(piece.substr(eq + 1)));
    if (comma == std::string_view::npos) break;
    body.remove_prefix(comma + 1);
  }
  return true;
}

// Key equals the one-letter-or-short spelling `shortk` or the long spelling `longk`.
bool key_is(std::string_view key, std::string_view shortk, std::string_view longk) {
  return ci_equal(key, shortk) || (!longk.empty() && ci_equal(key, longk));
}

// Apache answers a status it has no slot for with 500's slot; R= refuses those (except 500).
bool known_status(int s) {
  return (s >= 100 && s <= 103) || (s >= 200 && s <= 226) || (s >= 300 && s <= 308) ||
         (s >= 400 && s <= 451) || (s >= 500 && s <= 511);
}

// atoi() that saturates instead of overflowing.
int status_of(std::string_view v) {
  long long n = 0;
  for (char c : v) {
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    n = n * 10 + (c - '0');
    if (n > 100000) break;
  }
  return static_cast<int>(n);
}

Result rule_flag(const std::string& key, const std::string& val, bool& nocase) {
  bool ok = false;
  if (key_is(key, "B", "backrefescaping") || key_is(key, "BNP", "backrefnoplus") || ci_equal(key, "BCTLS"))
    ok = true;
  else if (ci_equal(key, "BNE")) {
    if (val.empty()) return "RewriteRule: flag 'BNE' wants a list of characters (i.e. [BNE=...])";
    ok = true;
  } else if (key_is(key, "C", "chain") || key_is(key, "CO", "cookie") || key_is(key, "DPI", "discardpath") ||
             key_is(key, "E", "env") || ci_equal(key, "END") || key_is(key, "F", "forbidden") ||
             key_is(key, "G", "gone") || key_is(key, "H", "handler") || key_is(key, "L", "last") ||
             key_is(key, "NE", "noescape") || key_is(key, "N", "next") || key_is(key, "NS", "nosubreq") ||
             key_is(key, "P", "proxy") || key_is(key, "PT", "passthrough") ||
             key_is(key, "QSA", "qsappend") || key_is(key, "QSD", "qsdiscard") ||
             key_is(key, "QSL", "qslast") || key_is(key, "S", "skip") || key_is(key, "T", "type") ||
             ci_equal(key, "UnsafePrefixStat") || ci_equal(key, "UnsafeAllow3F"))
    ok = true;
  else if (key_is(key, "NC", "nocase")) {
    nocase = true;
    ok = true;
  } else if (key_is(key, "R", "redirect")) {
    // Named codes and values not starting with a digit are accepted (the latter mean 302).
    if (!val.empty() && std::isdigit(static_cast<unsigned char>(val.front()))) {
      int status = status_of(val);
      if (status != 500 && !known_status(status))
        return "RewriteRule: invalid HTTP response code '" + val + "' for flag 'R'";
    }
    ok = true;
  }
  if (!ok) return "RewriteRule: unknown flag '" + key + "'";
  return std::nullopt;
}

Result cond_flag(const std::string& key, bool& nocase) {
  if (key_is(key, "NC", "nocase")) {
    nocase = true;
    return std::nullopt;
  }
  if (key_is(key, "OR", "ornext") || key_is(key, "NV", "novary")) return std::nullopt;
  return "RewriteCond: unknown flag '" + key + "'";
}

void warn_nocase(CmdParms& cmd, std::string_view pattern) {
  cmd.dispatcher.log("rewrite", "warn",
                     "AH00665: RewriteCond: NoCase option for non-regex pattern '" + std::string(pattern) +
                         "' is not supported and will be ignored. (" + file_of(cmd) + ":" +
                         std::to_string(cmd.node.line) + ")");
}

Result rewrite_cond(CmdParms& cmd, std::span<const std::string> args) {
  std::string_view raw = args.empty() ? std::string_view() : std::string_view(args[0]);
  RewriteArgs a;
  if (!split_rewrite_args(raw, a)) return "RewriteCond: bad argument line '" + std::string(raw) + "'";
  bool nocase = false;
  if (a.third)
    if (auto err = check_cond_flags(*a.third, &nocase)) return err;
  std::string_view pat = a.second;
  if (!pat.empty() && pat.front() == '!') pat.remove_prefix(1);

  if (a.first == "expr") {
    if (nocase) warn_nocase(cmd, pat);
    auto r = expr::parse(pat);
    if (!r.ok()) return "RewriteCond: cannot compile expression \"" + std::string(pat) + "\" " + r.error;
    return std::nullopt;
  }
  // File tests (-f, -d, ...), integer comparisons (-eq5) and lexical ones (=, <, >=, ...) are no
  // regexes; NoCase means nothing to the first two.
  if (pat.size() == 2 && pat[0] == '-' &&
      std::string_view("fsdlLhxFU").find(pat[1]) != std::string_view::npos) {
    if (nocase) warn_nocase(cmd, pat);
    return std::nullopt;
  }
  if (pat.size() > 3 && pat[0] == '-') {
    static constexpr std::array<std::string_view, 6> kIntOps = {"eq", "ge", "gt", "le", "lt", "ne"};
    for (std::string_view op : kIntOps)
      if (pat.substr(1, 2) == op) {
        if (nocase) warn_nocase(cmd, pat.substr(3));
        return std::nullopt;
      }
  }
  if (pat.size() >= 2 && (pat[0] == '<' || pat[0] == '>' || pat[0] == '=')) return std::nullopt;
  if (!Regex::compile(pat, nocase ? Regex::Caseless : Regex::None))
    return "RewriteCond: cannot compile regular expression '" + std::string(pat) + "'";
  return std::nullopt;
}

Result rewrite_rule(CmdParms&, std::span<const std::string> args) {
  std::string_view raw = args.empty() ? std::string_view() : std::string_view(args[0]);
  RewriteArgs a;
  if (!split_rewrite_args(raw, a)) return "RewriteRule: bad argument line '" + std::string(raw) + "'";
  bool nocase = false;
  if (a.third)
    if (auto err = check_rule_flags(*a.third, &nocase)) return err;
  std::string_view pat = a.first;
  if (!pat.empty() && pat.front() == '!') pat.remove_prefix(1);
  if (!Regex::compile(pat, nocase ? Regex::Caseless : Regex::None))
    return "RewriteRule: cannot compile regular expression '" + std::string(pat) + "'";
  return std::nullopt;
}

Result rewrite_options(CmdParms& cmd, std::span<const std::string> args) {
  static constexpr std::array<std::string_view, 10> kOptions = {
      "Inherit",      "InheritBefore", "InheritDown", "InheritDownBefore", "IgnoreInherit",
      "AllowNoSlash", "AllowAnyURI",   "MergeBase",   "IgnoreContextInfo", "LegacyPrefixDocRoot"};
  const std::string& opt = args[0];
  for (std::string_view o : kOptions)
    if (ci_equal(opt, o)) return std::nullopt;
  if (ci_starts_with(opt, "MaxRedirects=")) {
    cmd.dispatcher.log("rewrite", "warn",
                       "AH00664: RewriteOptions: MaxRedirects option has been removed in favor of "
                       "the global LimitInternalRecursion directive and will be ignored.");
    return std::nullopt;
  }
  return "RewriteOptions: unknown option '" + opt + "'";
}

Result rewrite_base(CmdParms& cmd, std::span<const std::string> args) {
  if (!in_dir_section(cmd)) return "RewriteBase: only valid in per-directory config files";
  if (args[0].empty()) return "RewriteBase: empty URL not allowed";
  if (args[0].front() != '/') return "RewriteBase: argument is not a valid URL";
  return std::nullopt;
}

bool path_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

Result map_file_check(CmdParms& cmd, const std::string& name, std::string_view file) {
  std::string path = server_root_relative(cmd, file);
  if (!path_exists(path)) return "RewriteMap: file for map " + name + " not found:" + path;
  return std::nullopt;
}

Result rewrite_map(CmdParms& cmd, std::span<const std::string> args) {
  const std::string& name = args[0];
  std::string_view map = args[1];
  if (ci_starts_with(map, "txt:") || ci_starts_with(map, "rnd:"))
    return map_file_check(cmd, name, map.substr(4));
  if (ci_starts_with(map, "dbm")) {
    std::string type = "default";
    std::string_view file;
    if (map.size() > 3 && map[3] == ':') {
      file = map.substr(4);
    } else if (map.size() > 3 && map[3] == '=') {
      std::size_t colon = map.find(':', 4);
      if (colon == std::string_view::npos) return "RewriteMap: bad map:" + std::string(map);
      type = std::string(map.substr(4, colon - 4));
      file = map.substr(colon + 1);
    } else {
      return "RewriteMap: bad map:" + std::string(map);
    }
    // The DBM drivers Debian's libaprutil has; "default" is its db driver, sdbm keeps NAME.dir.
    if (!(ci_equal(type, "default") || ci_equal(type, "db") || ci_equal(type, "gdbm") ||
          ci_equal(type, "sdbm")))
      return "RewriteMap: dbm type " + type + " is invalid";
    std::string path = server_root_relative(cmd, file);
    if (ci_equal(type, "sdbm")) path += ".dir";
    if (!path_exists(path)) return "RewriteMap: file for map " + name + " not found:" + path;
    return std::nullopt;
  }
  if (ci_starts_with(map, "prg:")) {
    std::vector<std::string> argv = parser::split_words(map.substr(4));
    if (argv.empty() || argv.front().empty()) return std::nullopt;
    return map_file_check(cmd, name, argv.front());
  }
  if (ci_starts_with(map, "int:")) {
    std::string_view fn = map.substr(4);
    if (fn == "toupper" || fn == "tolower" || fn == "escape" || fn == "unescape") return std::nullopt;
    return "RewriteMap: internal map not found:" + std::string(fn);
  }
  if (ci_starts_with(map, "dbd:") || ci_starts_with(map, "fastdbd:")) {
    for (const LoadedModule& m : cmd.config.modules)
      if (m.source == "mod_dbd.c") return std::nullopt;
    return "RewriteMap types dbd and fastdbd require mod_dbd!";
  }
  return map_file_check(cmd, name, map);
}

constexpr HandlerBinding kRewriteBindings[] = {
    {"RewriteEngine", Support::Unsupported, nullptr},
    {"RewriteOptions", Support::Unsupported, rewrite_options},
    {"RewriteBase", Support::Unsupported, rewrite_base},
    {"RewriteCond", Support::Unsupported, rewrite_cond},
    {"RewriteRule", Support::Unsupported, rewrite_rule},
    {"RewriteMap", Support::Unsupported, rewrite_map},
};

} // namespace

bool split_rewrite_args(std::string_view s, RewriteArgs& out) {
  std::size_t i = 0;
  skip_blanks(s, i);
  out.first = take_word(s, i);
  if (i >= s.size()) return false;
  ++i; // the blank or closing quote that ended the word
  skip_blanks(s, i);
  out.second = take_word(s, i);
  out.third.reset();
  if (i >= s.size()) return true;
  ++i;
  skip_blanks(s, i);
  if (i >= s.size()) return true;
  out.third = take_word(s, i); // anything after the third word is ignored, as in Apache
  return true;
}

std::optional<std::string> check_rule_flags(std::string_view field, bool* nocase) {
  std::vector<std::pair<std::string, std::string>> flags;
  if (!flag_pieces(field, flags)) return "RewriteRule: bad flag delimiters";
  bool nc = false;
  for (const auto& [key, val] : flags)
    if (auto err = rule_flag(key, val, nc)) return err;
  if (nocase) *nocase = nc;
  return std::nullopt;
}

std::optional<std::string> check_cond_flags(std::string_view field, bool* nocase) {
  std::vector<std::pair<std::string, std::string>> flags;
  if (!flag_pieces(field, flags)) return "RewriteCond: bad flag delimiters";
  bool nc = false;
  for (const auto& [key, val] : flags)
    if (auto err = cond_flag(key, nc)) return err;
  if (nocase) *nocase = nc;
  return std::nullopt;
}

std::span<const HandlerBinding> rewrite_bindings() {
  return kRewriteBindings;
}

} // namespace balancerd::directives::http
