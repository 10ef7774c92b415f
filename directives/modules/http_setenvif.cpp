// mod_setenvif: SetEnvIf, SetEnvIfNoCase, BrowserMatch, BrowserMatchNoCase, SetEnvIfExpr.
#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"
#include "parser/words.hpp"

namespace balancerd::directives::http {
namespace {

// The remaining words are assignments: "name", "name=value", "!name"; an empty word ends them.
Result take_assignments(std::string_view& rest, SetEnvIfRule& rule, std::string_view directive) {
  for (;;) {
    std::string w = parser::next_word(rest);
    if (w.empty()) break;
    EnvAssignment a;
    if (w.front() == '!') {
      a.unset = true;
      a.name = w.substr(1);
    } else if (auto eq = w.find('='); eq != std::string::npos) {
      a.name = w.substr(0, eq);
      a.value = w.substr(eq + 1);
    } else {
      a.name = w;
    }
    rule.assignments.push_back(std::move(a));
  }
  if (rule.assignments.empty()) return "Missing envariable expression for " + std::string(directive);
  return std::nullopt;
}

// Header names with regex metacharacters are matched as a (caseless) regex over header names.
bool looks_like_regex(std::string_view name) {
  return name.find_first_of("^$.*+?()[]{}|\\") != std::string_view::npos;
}

Result set_env_if_common(CmdParms& cmd, std::string_view raw, bool nocase, bool browser) {
  const std::string directive(cmd.def.name);
  std::string_view rest = raw;
  SetEnvIfRule rule;
  rule.file = file_of(cmd);
  rule.line = cmd.node.line;
  std::string attribute = browser ? std::string("User-Agent") : parser::next_word(rest);
  if (attribute.empty()) return "Missing header-field name for " + directive;
  const std::string pattern = parser::next_word(rest);
  if (pattern.empty()) return "Missing regular expression for " + directive;

  struct Special {
    std::string_view name;
    SetEnvIfRule::Subject subject;
  };
  static constexpr Special kSpecial[] = {
      {"Remote_Host", SetEnvIfRule::Subject::RemoteHost},
      {"Remote_Addr", SetEnvIfRule::Subject::RemoteAddr},
      {"Server_Addr", SetEnvIfRule::Subject::ServerAddr},
      {"Request_Method", SetEnvIfRule::Subject::RequestMethod},
      {"Request_Protocol", SetEnvIfRule::Subject::RequestProtocol},
      {"Request_URI", SetEnvIfRule::Subject::RequestUri},
  };
  rule.subject = SetEnvIfRule::Subject::Header;
  for (const Special& s : kSpecial)
    if (ci_equal(attribute, s.name)) rule.subject = s.subject;
  if (rule.subject == SetEnvIfRule::Subject::Header && looks_like_regex(attribute)) {
    rule.subject = SetEnvIfRule::Subject::HeaderRegex;
    rule.name_regex = Regex::compile(attribute, Regex::Caseless);
    if (!rule.name_regex) return directive + "Header name regex could not be compiled.";
  }
  rule.name = attribute;
  rule.regex = Regex::compile(pattern, nocase ? Regex::Caseless : Regex::None);
  if (!rule.regex) return directive + " regex could not be compiled.";
  if (auto err = take_assignments(rest, rule, directive)) return err;
  cmd.dir().env.setenvif.push_back(std::move(rule));
  return std::nullopt;
}

std::string_view raw_of(std::span<const std::string> a) {
  return a.empty() ? std::string_view() : a[0];
}

Result set_env_if(CmdParms& c, std::span<const std::string> a) {
  return set_env_if_common(c, raw_of(a), false, false);
}
Result set_env_if_nocase(CmdParms& c, std::span<const std::string> a) {
  return set_env_if_common(c, raw_of(a), true, false);
}
Result browser_match(CmdParms& c, std::span<const std::string> a) {
  return set_env_if_common(c, raw_of(a), false, true);
}
Result browser_match_nocase(CmdParms& c, std::span<const std::string> a) {
  return set_env_if_common(c, raw_of(a), true, true);
}

Result set_env_if_expr(CmdParms& cmd, std::span<const std::string> a) {
  std::string_view rest = raw_of(a);
  const std::string text = parser::next_word(rest);
  if (text.empty()) return "Missing expression for SetEnvIfExpr";
  SetEnvIfRule rule;
  rule.subject = SetEnvIfRule::Subject::Expr;
  rule.file = file_of(cmd);
  rule.line = cmd.node.line;
  auto r = expr::parse(text);
  if (!r.ok()) return "Could not parse expression \"" + text + "\": " + r.error;
  rule.expr = r.expr;
  if (auto err = take_assignments(rest, rule, "SetEnvIfExpr")) return err;
  cmd.dir().env.setenvif.push_back(std::move(rule));
  return std::nullopt;
}

constexpr HandlerBinding kSetEnvIf[] = {
    {"SetEnvIf", Support::Implemented, set_env_if},
    {"SetEnvIfNoCase", Support::Implemented, set_env_if_nocase},
    {"BrowserMatch", Support::Implemented, browser_match},
    {"BrowserMatchNoCase", Support::Implemented, browser_match_nocase},
    {"SetEnvIfExpr", Support::Implemented, set_env_if_expr},
};

} // namespace

std::span<const HandlerBinding> setenvif_bindings() {
  return kSetEnvIf;
}

} // namespace balancerd::directives::http
