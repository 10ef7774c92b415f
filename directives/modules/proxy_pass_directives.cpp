// ProxyPass, ProxyPassMatch, ProxyPassReverse and the cookie rewrite rules (mod_proxy.c's add_pass and
// add_pass_reverse): parsing order and messages as Apache has them, so the first error is the same one.
#include "directives/ci_string.hpp"
#include "directives/dispatcher.hpp"
#include "directives/modules/proxy_context.hpp"
#include "directives/modules/proxy_handlers.hpp"
#include "directives/modules/proxy_url.hpp"
#include "directives/modules/proxy_workers.hpp"
#include "directives/section_args.hpp"
#include "parser/words.hpp"

namespace balancerd::directives::proxy {

namespace {

SourceFile file_of(const CmdParms& cmd) {
  return cmd.node.file;
}

Result add_pass(CmdParms& cmd, std::string_view raw, bool is_regex) {
  if (auto err = cmd.check_context(NOT_IN_DIRECTORY | NOT_IN_FILES)) return err;
  ProxyServerConf& conf = cmd.server.proxy;
  const std::optional<std::string> path = cmd_path(cmd);

  std::optional<std::string> f = path;
  std::optional<std::string> r;
  bool regex = is_regex;
  ProxyPassFlags flags;
  ParamList params;
  while (!raw.empty()) {
    std::string word = parser::next_word(raw);
    if (!f) {
      if (word == "~") {
        if (is_regex) return "ProxyPassMatch invalid syntax ('~' usage).";
        regex = true;
        continue;
      }
      f = std::move(word);
    } else if (!r) {
      r = std::move(word);
    } else if (ci_equal(word, "nocanon")) {
      flags.nocanon = true;
    } else if (ci_equal(word, "interpolate")) {
      flags.interpolate = true;
    } else if (ci_equal(word, "noquery")) {
      flags.noquery = true;
    } else {
      const auto eq = word.find('=');
      if (eq == std::string::npos) {
        if (path && !r->empty() && (*r)[0] == '/')
          return "ProxyPass|ProxyPassMatch can not have a path when defined in a location.";
        return "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'.";
      }
      std::string key = word.substr(0, eq);
      std::string val = word.substr(eq + 1);
      if (ci_equal(key, "mapping")) {
        if (ci_equal(val, "encoded"))
          flags.map_encoded = true;
        else if (ci_equal(val, "servlet"))
          flags.map_servlet = true;
        else
          return "unknown mapping";
      } else {
        table_set(params, std::move(key), std::move(val));
      }
    }
  }
  if (flags.map_encoded)
    conf.map_encoded_one = true;
  else
    conf.map_encoded_all = false;

  if (!r) return "ProxyPass|ProxyPassMatch needs a path when not defined in a location";
  const auto real = de_socketfy(*r);
  if (!real) return "ProxyPass|ProxyPassMatch uses an invalid \"unix:\" URL";

  ProxyPassRule rule;
  rule.path = *f;
  rule.url = *real;
  rule.flags = flags;
  rule.file = file_of(cmd);
  rule.line = cmd.node.line;
  if (path && fnmatch_test(*f)) regex = true;
  rule.regex = regex;
  if (regex && !directives::regex_compiles(*f)) return "Regular expression could not be compiled.";

  auto store = [&]() {
    if (path)
      cmd.dir().proxy->pass = rule;
    else
      conf.rules.push_back(rule);
  };
  if (*r == "!") {
    rule.exclusion = true;
    store();
    return std::nullopt;
  }

  const ParamContext ctx = param_context(cmd);
  if (is_balancer_url(*r)) {
    Balancer* balancer = find_balancer(conf, *r);
    // A regex path is no front-end URL for the balancer.
    const std::optional<std::string_view> fake = regex ? std::nullopt : std::optional<std::string_view>(*f);
    if (!balancer) {
      if (auto err = define_balancer(conf, *r, fake, balancer)) return "ProxyPass " + *err;
      balancer->file = file_of(cmd);
      balancer->line = cmd.node.line;
    } else {
      (void)update_balancer(*balancer, fake);
    }
    for (const auto& [key, val] : params)
      if (auto err = set_balancer_param(balancer->params, key, val, ctx)) return "ProxyPass " + *err;
    rule.balancer = balancer->name;
  } else {
    const unsigned mask = regex ? kMatch : kPrefix;
    Worker* found = find_worker(conf, nullptr, *real, mask);
    std::size_t index = 0;
    if (!found) {
      Worker worker;
      if (auto err = make_worker(*r, mask, false, worker)) return "ProxyPass " + *err;
      if (auto alert = worker_name_alert(worker)) cmd.dispatcher.log("proxy", "error", *alert);
      copy_conf_params(worker.params, conf);
      worker.file = file_of(cmd);
      worker.line = cmd.node.line;
      for (const auto& [key, val] : params)
        if (auto err = set_worker_param(worker.params, key, val, ctx)) return "ProxyPass " + *err;
      conf.workers.push_back(std::move(worker));
      index = conf.workers.size() - 1;
    } else {
      // Worker sharing: the first definition's parameters stay.
      index = static_cast<std::size_t>(found - conf.workers.data());
      const std::string shared = worker_display_name(*found);
      cmd.dispatcher.log("proxy", "info",
                         "AH01145: Sharing worker '" + shared + "' instead of creating new worker '" + *real +
                             "'");
      for (const auto& [key, val] : params)
        cmd.dispatcher.log("proxy", "warn",
                           "AH01146: Ignoring parameter '" + key + "=" + val + "' for worker '" + shared +
                               "' because of worker sharing");
    }
    rule.worker = index;
  }
  store();
  return std::nullopt;
}

Result add_reverse(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIRECTORY | NOT_IN_FILES)) return err;
  const std::optional<std::string> path = cmd_path(cmd);
  const std::string* f = args.size() > 0 ? &args[0] : nullptr;
  const std::string* r = args.size() > 1 ? &args[1] : nullptr;
  const std::string* i = args.size() > 2 ? &args[2] : nullptr;
  ReverseRule rule;
  if (!path) {
    if (!r || ci_equal(*r, "interpolate"))
      return "ProxyPassReverse needs a path when not defined in a location";
    rule.fake = f ? *f : std::string();
    rule.real = *r;
    rule.interpolate = i != nullptr;
  } else {
    if (r && !ci_equal(*r, "interpolate"))
      return "ProxyPassReverse can not have a path when defined in a location";
    rule.fake = *path;
    rule.real = f ? *f : std::string();
    rule.interpolate = r != nullptr;
  }
  cmd.dir().proxy->reverse.push_back(std::move(rule));
  return std::nullopt;
}

ReverseRule cookie_rule(Args args) {
  ReverseRule rule;
  rule.fake = args.size() > 0 ? args[0] : std::string();
  rule.real = args.size() > 1 ? args[1] : std::string();
  rule.interpolate = args.size() > 2;
  return rule;
}

} // namespace

Result proxy_pass(CmdParms& cmd, Args args) {
  return add_pass(cmd, args.empty() ? "" : args[0], false);
}
Result proxy_pass_match(CmdParms& cmd, Args args) {
  return add_pass(cmd, args.empty() ? "" : args[0], true);
}
Result proxy_pass_reverse(CmdParms& cmd, Args args) {
  return add_reverse(cmd, args);
}

Result proxy_pass_reverse_cookie_path(CmdParms& cmd, Args args) {
  cmd.dir().proxy->cookie_paths.push_back(cookie_rule(args));
  return std::nullopt;
}

Result proxy_pass_reverse_cookie_domain(CmdParms& cmd, Args args) {
  cmd.dir().proxy->cookie_domains.push_back(cookie_rule(args));
  return std::nullopt;
}

} // namespace balancerd::directives::proxy
