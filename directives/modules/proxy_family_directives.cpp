// The directives of mod_proxy's helper modules: mod_proxy_hcheck (ProxyHCExpr, ProxyHCTemplate,
// ProxyHCTPsize), mod_proxy_wstunnel, mod_proxy_ftp, mod_lbmethod_heartbeat and mod_watchdog.
#include "directives/ci_string.hpp"
#include "directives/expr/expr.hpp"
#include "directives/modules/proxy_context.hpp"
#include "directives/modules/proxy_handlers.hpp"
#include "directives/modules/proxy_numbers.hpp"
#include "directives/modules/proxy_params.hpp"
#include "parser/words.hpp"

#include <algorithm>
#include <cctype>

namespace balancerd::directives::proxy {

namespace {

const std::string& arg0(Args args) {
  static const std::string empty;
  return args.empty() ? empty : args[0];
}

bool flag(Args args) {
  return ci_equal(arg0(args), "on");
}

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// mod_proxy_hcheck registers the hc() function with ap_expr; the shared parser does not know it, so
// hc(...) is checked as a known function of the same shape (md5) before the text is handed over.
std::string with_hc_as_known_function(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "hc") == 0 && (i == 0 || !ident_char(text[i - 1]))) {
      std::size_t j = i + 2;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      if (j < text.size() && text[j] == '(') {
        out += "md5";
        ++i;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

} // namespace

Result proxy_hc_expr(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_HTACCESS)) return err;
  std::string_view raw = arg0(args);
  const std::string name = parser::next_word(raw);
  if (name.empty()) return "Missing expression name for " + std::string(cmd.def.name);
  if (name.size() > 15) return std::string("Expression name limited to 15 characters");
  const std::string text = parser::next_word_braced(raw);
  if (text.empty()) return "Missing expression for " + std::string(cmd.def.name);
  const expr::ParseResult parsed = expr::parse(with_hc_as_known_function(text));
  if (!parsed.ok()) return "Could not parse expression \"" + text + "\": " + parsed.error;
  auto& conditions = cmd.server.proxy.hc_conditions;
  auto same = std::find_if(conditions.begin(), conditions.end(),
                           [&](const HcCondition& c) { return ci_equal(c.name, name); });
  if (same != conditions.end())
    same->expr = text;
  else
    conditions.push_back(HcCondition{name, text});
  if (!parser::next_word(raw).empty()) return std::string("error: extra parameter(s)");
  return std::nullopt;
}

Result proxy_hc_template(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_HTACCESS)) return err;
  std::string_view raw = arg0(args);
  const std::string name = parser::next_word(raw);
  if (name.empty()) return "Missing template name for " + std::string(cmd.def.name);
  HcTemplate tmpl;
  tmpl.name = name;
  const ParamContext ctx = param_context(cmd);
  while (!raw.empty()) {
    const std::string word = parser::next_word(raw);
    const auto eq = word.find('=');
    if (eq == std::string::npos)
      return std::string("Invalid ProxyHCTemplate parameter. Parameter must be in the form 'key=value'");
    const std::string key = word.substr(0, eq);
    const std::string val = word.substr(eq + 1);
    if (auto err = set_hc_param(tmpl.params, key, val, ctx))
      return "ProxyHCTemplate: " + *err + " " + key + "=" + val + "; " + name;
  }
  cmd.server.proxy.hc_templates.push_back(std::move(tmpl));
  return std::nullopt;
}

Result proxy_hc_tpsize(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  const int size = c_atoi(arg0(args));
  if (size < 0) return std::string("Invalid ProxyHCTPsize parameter. Parameter must be >= 0");
  cmd.server.proxy.hc_tpsize = size;
  return std::nullopt;
}

Result proxy_websocket_fallback(CmdParms& cmd, Args args) {
  cmd.dir().proxy->ws_fallback_to_http = flag(args);
  return std::nullopt;
}

Result proxy_ftp_list_on_wildcard(CmdParms& cmd, Args args) {
  cmd.dir().proxy->ftp_list_on_wildcard = flag(args);
  return std::nullopt;
}

Result proxy_ftp_escape_wildcards(CmdParms& cmd, Args args) {
  cmd.dir().proxy->ftp_escape_wildcards = flag(args);
  return std::nullopt;
}

Result proxy_ftp_dir_charset(CmdParms& cmd, Args args) {
  cmd.dir().proxy->ftp_dir_charset = arg0(args);
  return std::nullopt;
}

Result heartbeat_storage(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  cmd.server.proxy.heartbeat_storage = arg0(args);
  return std::nullopt;
}

Result watchdog_interval(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  const auto t = parse_timeout(arg0(args), "s");
  if (!t) return std::string("Unparse-able WatchdogInterval setting");
  if (t->count() < 100000) return std::string("Invalid WatchdogInterval: minimal value 100ms");
  cmd.server.proxy.watchdog_interval = *t;
  return std::nullopt;
}

} // namespace balancerd::directives::proxy
