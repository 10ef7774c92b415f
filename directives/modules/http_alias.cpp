// mod_alias: Alias, ScriptAlias, AliasMatch, ScriptAliasMatch, Redirect*, RedirectMatch.
#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"

#include <cctype>

namespace balancerd::directives::http {
namespace {

// Apache's ap_is_url: a scheme of letters, digits, '+', '-', '.' followed by ':'.
bool is_url(std::string_view u) {
  std::size_t x = 0;
  for (; x < u.size() && u[x] != ':'; ++x) {
    const char c = u[x];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
  }
  return x < u.size() && x > 0;
}

bool is_redirect_status(int s) {
  return s >= 300 && s <= 399;
}

std::shared_ptr<const expr::Expr> parse_target_expr(const std::string& arg, std::string_view what,
                                                    Result& err) {
  auto r = expr::parse_string(std::string_view(arg).substr(5));
  if (!r.ok()) err = "Cannot parse " + std::string(what) + " expression '" + arg + "': " + r.error;
  return r.expr;
}

Result alias_common(CmdParms& cmd, std::span<const std::string> args, AliasRule::Kind kind) {
  if (in_dir_section(cmd)) {
    if (args.size() > 1) {
      if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
    }
    DirAlias a;
    a.kind = kind;
    if (ci_starts_with(args[0], "expr=")) {
      Result err;
      a.real_expr = parse_target_expr(args[0], "alias", err);
      if (err) return err;
    } else {
      a.real = args[0];
    }
    cmd.dir().mapping->dir_alias = std::move(a);
    return std::nullopt;
  }
  if (args.size() < 2) return "Alias must have two arguments when used globally";
  AliasRule r;
  r.kind = kind;
  r.fake = args[0];
  r.real = args[1];
  r.file = file_of(cmd);
  r.line = cmd.node.line;
  cmd.server.mapping.aliases.push_back(std::move(r));
  return std::nullopt;
}

Result alias_handler(CmdParms& cmd, std::span<const std::string> a) {
  return alias_common(cmd, a, AliasRule::Kind::Alias);
}
Result script_alias_handler(CmdParms& cmd, std::span<const std::string> a) {
  return alias_common(cmd, a, AliasRule::Kind::ScriptAlias);
}

Result alias_match_common(CmdParms& cmd, std::span<const std::string> args, AliasRule::Kind kind) {
  if (args.size() < 2) return std::nullopt;
  AliasRule r;
  r.kind = kind;
  r.fake = args[0];
  r.regex = Regex::compile(args[0]);
  if (!r.regex) return "Regular expression could not be compiled.";
  r.real = args[1];
  r.file = file_of(cmd);
  r.line = cmd.node.line;
  cmd.server.mapping.aliases.push_back(std::move(r));
  return std::nullopt;
}

Result alias_match(CmdParms& cmd, std::span<const std::string> a) {
  return alias_match_common(cmd, a, AliasRule::Kind::Alias);
}
Result script_alias_match(CmdParms& cmd, std::span<const std::string> a) {
  return alias_match_common(cmd, a, AliasRule::Kind::ScriptAlias);
}

// Shared by Redirect, RedirectMatch (use_regex) and RedirectTemp/RedirectPermanent (another default
// status; a status word first still counts, as in Apache).
Result redirect_common(CmdParms& cmd, std::span<const std::string> args, bool use_regex, int default_status) {
  const std::string* a1 = args.size() > 0 ? &args[0] : nullptr;
  const std::string* a2 = args.size() > 1 ? &args[1] : nullptr;
  const std::string* a3 = args.size() > 2 ? &args[2] : nullptr;
  int status = default_status;
  bool grokarg1 = true;
  if (a1) {
    if (ci_equal(*a1, "gone"))
      status = 410;
    else if (ci_equal(*a1, "permanent"))
      status = 301;
    else if (ci_equal(*a1, "temp"))
      status = 302;
    else if (ci_equal(*a1, "seeother"))
      status = 303;
    else if (!a1->empty() && std::isdigit(static_cast<unsigned char>((*a1)[0])))
      status = loose_atoi(*a1);
    else
      grokarg1 = false;
  }
  if (a3 && !grokarg1) return "Redirect: invalid first argument (of three)";

  // Inside a section with just the target (after an optional status) the path is the section's.
  const bool dir_form = in_dir_section(cmd) && !use_regex && (grokarg1 ? !a3 : !a2);
  if (dir_form) {
    const std::string* url = grokarg1 ? a2 : a1;
    if (is_redirect_status(status) && !url) return "URL to redirect to is missing";
    DirAlias d;
    d.kind = AliasRule::Kind::Redirect;
    d.status = status;
    if (url && ci_starts_with(*url, "expr=")) {
      Result err;
      d.real_expr = parse_target_expr(*url, "redirect", err);
      if (err) return err;
    } else if (url) {
      d.real = *url;
    }
    cmd.dir().mapping->dir_alias = std::move(d);
    return std::nullopt;
  }

  const std::string* path = grokarg1 ? a2 : a1;
  const std::string* url = grokarg1 ? a3 : a2;
  AliasRule r;
  r.kind = AliasRule::Kind::Redirect;
  r.status = status;
  if (path) r.fake = *path;
  if (use_regex) {
    r.regex = Regex::compile(r.fake);
    if (!r.regex) return "Regular expression could not be compiled.";
  }
  if (is_redirect_status(status)) {
    if (!url) return "URL to redirect to is missing";
    if (!use_regex && !is_url(*url) && (url->empty() || url->front() != '/')) return "Redirect to non-URL";
  } else if (url) {
    return "Redirect URL not valid for this status";
  }
  if (url) r.real = *url;
  r.file = file_of(cmd);
  r.line = cmd.node.line;
  (in_dir_section(cmd) ? cmd.dir().mapping->redirects : cmd.server.mapping.redirects).push_back(std::move(r));
  return std::nullopt;
}

Result redirect(CmdParms& cmd, std::span<const std::string> a) {
  return redirect_common(cmd, a, false, 302);
}
Result redirect_match(CmdParms& cmd, std::span<const std::string> a) {
  return redirect_common(cmd, a, true, 302);
}
Result redirect_temp(CmdParms& cmd, std::span<const std::string> a) {
  return redirect_common(cmd, a, false, 302);
}
Result redirect_permanent(CmdParms& cmd, std::span<const std::string> a) {
  return redirect_common(cmd, a, false, 301);
}

Result redirect_relative(CmdParms& cmd, std::span<const std::string> a) {
  cmd.dir().mapping->redirect_relative = !a.empty() && ci_equal(a[0], "on");
  return std::nullopt;
}
Result alias_preserve_path(CmdParms& cmd, std::span<const std::string> a) {
  cmd.dir().mapping->alias_preserve_path = !a.empty() && ci_equal(a[0], "on");
  return std::nullopt;
}

constexpr HandlerBinding kAlias[] = {
    {"Alias", Support::Implemented, alias_handler},
    {"ScriptAlias", Support::Unsupported, script_alias_handler, nullptr, "CGI is not implemented"},
    {"AliasMatch", Support::Implemented, alias_match},
    {"ScriptAliasMatch", Support::Unsupported, script_alias_match, nullptr, "CGI is not implemented"},
    {"Redirect", Support::Implemented, redirect},
    {"RedirectMatch", Support::Implemented, redirect_match},
    {"RedirectTemp", Support::Implemented, redirect_temp},
    {"RedirectPermanent", Support::Implemented, redirect_permanent},
    {"RedirectRelative", Support::Implemented, redirect_relative},
    {"AliasPreservePath", Support::Unsupported, alias_preserve_path},
};

} // namespace

std::span<const HandlerBinding> alias_bindings() {
  return kAlias;
}

} // namespace balancerd::directives::http
