// BalancerMember and ProxySet (mod_proxy.c's add_member and set_proxy_param): which balancer or worker
// they address, when they create it, and the framing of parameter errors.
#include "directives/ci_string.hpp"
#include "directives/dispatcher.hpp"
#include "directives/modules/proxy_context.hpp"
#include "directives/modules/proxy_handlers.hpp"
#include "directives/modules/proxy_url.hpp"
#include "directives/modules/proxy_workers.hpp"
#include "parser/words.hpp"

#include <algorithm>

namespace balancerd::directives::proxy {

namespace {

SourceFile file_of(const CmdParms& cmd) {
  return cmd.node.file;
}

} // namespace

Result balancer_member(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_HTACCESS)) return err;
  ProxyServerConf& conf = cmd.server.proxy;
  const std::optional<std::string> section = cmd_path(cmd);
  std::optional<std::string> path = section;
  std::optional<std::string> name;
  ParamList params;
  std::string_view raw = args.empty() ? std::string_view() : std::string_view(args[0]);
  while (!raw.empty()) {
    std::string word = parser::next_word(raw);
    const auto eq = word.find('=');
    if (eq == std::string::npos) {
      if (!path)
        path = std::move(word);
      else if (!name)
        name = std::move(word);
      else if (section)
        return "BalancerMember can not have a balancer name when defined in a location";
      else
        return "Invalid BalancerMember parameter. Parameter must be in the form 'key=value'";
    } else {
      table_set(params, word.substr(0, eq), word.substr(eq + 1));
    }
  }
  if (!path) return "BalancerMember must define balancer name when outside <Proxy > section";
  if (!name) return "BalancerMember must define remote proxy server";
  const auto real = de_socketfy(*name);
  if (!real) return "BalancerMember uses an invalid \"unix:\" URL";
  const std::string balancer_url = ascii_lower(*path);

  Balancer* balancer = find_balancer(conf, balancer_url);
  if (!balancer) {
    if (auto err = define_balancer(conf, balancer_url, std::string_view("/"), balancer))
      return "BalancerMember " + *err;
    balancer->file = file_of(cmd);
    balancer->line = cmd.node.line;
  }
  if (Worker* existing = find_worker(conf, balancer, *real, 0)) {
    // Worker sharing inside the balancer: the first definition's parameters stay.
    const std::string shared = worker_display_name(*existing);
    cmd.dispatcher.log("proxy", "info",
                       "AH01149: Sharing worker '" + shared + "' instead of creating new worker '" + *name +
                           "'");
    for (const auto& [key, val] : params)
      cmd.dispatcher.log("proxy", "warn",
                         "AH01150: Ignoring parameter '" + key + "=" + val + "' for worker '" + shared +
                             "' because of worker sharing");
    return std::nullopt;
  }
  // Apache's debug lines carry the source position of its own code; kept so logs compare equal.
  // Composed only when LogLevel lets them through (BalancerMember is frequent in large configs).
  const bool debug = cmd.dispatcher.log_enabled("proxy", "debug");
  if (debug)
    cmd.dispatcher.log("proxy", "debug",
                       "mod_proxy.c(2674): AH01147: Defining worker '" + *name + "' for balancer '" +
                           balancer->name + "'");
  if (balancer->members.empty()) {
    // Room for the members written beside this one at once (growing moved each Worker again).
    std::size_t siblings = 1;
    // Inside <Proxy balancer://...> every member is this balancer's.
    if (const parser::Node* parent = cmd.parent(); parent && ci_starts_with(parent->name, "<Proxy")) {
      siblings = 0;
      for (const parser::Node& n : parent->children) siblings += ci_equal(n.name, "BalancerMember") ? 1 : 0;
    }
    balancer->members.reserve(std::max<std::size_t>(siblings, 1));
  }
  // Built in place (a Worker is over half a KiB), dropped again on an error.
  Worker& worker = balancer->members.emplace_back();
  const auto fail = [balancer](std::string text) -> Result {
    balancer->members.pop_back();
    return "BalancerMember " + text;
  };
  if (auto err = make_worker(*name, kPrefix, true, worker)) return fail(std::move(*err));
  if (auto alert = worker_name_alert(worker)) cmd.dispatcher.log("proxy", "error", *alert);
  if (debug)
    cmd.dispatcher.log("proxy", "debug",
                       "mod_proxy.c(2679): AH01148: Defined worker '" + worker_display_name(worker) +
                           "' for balancer '" + balancer->name + "'");
  copy_conf_params(worker.params, conf);
  worker.balancer = balancer->name;
  worker.file = file_of(cmd);
  worker.line = cmd.node.line;
  if (balancer->has_section) {
    worker.section = balancer->section;
    worker.has_section = true;
  }
  const ParamContext ctx = param_context(cmd);
  for (const auto& [key, val] : params)
    if (auto err = set_worker_param(worker.params, key, val, ctx)) return fail(std::move(*err));
  return std::nullopt;
}

Result proxy_set(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_HTACCESS)) return err;
  ProxyServerConf& conf = cmd.server.proxy;
  std::string_view raw = args.empty() ? std::string_view() : std::string_view(args[0]);
  std::string name;
  unsigned mask = 0;
  bool in_proxy_section = false;
  // Only a <Proxy>/<ProxyMatch> that directly encloses ProxySet names its target.
  if (const parser::Node* parent = cmd.parent(); parent && ci_starts_with(parent->name, "<Proxy")) {
    std::string_view pargs = parent->args;
    name = parser::next_word(pargs);
    if (const auto gt = name.find('>'); gt != std::string::npos) name.erase(gt);
    mask = ci_starts_with(std::string_view(parent->name).substr(6), "Match") ? kMatch : kPrefix;
    in_proxy_section = true;
  } else {
    name = parser::next_word(raw);
  }

  Balancer* balancer = nullptr;
  Worker* worker = nullptr;
  if (is_balancer_url(name)) {
    balancer = find_balancer(conf, name);
    if (!balancer) {
      if (!in_proxy_section) return "ProxySet can not find '" + name + "' Balancer.";
      if (auto err = define_balancer(conf, name, std::string_view("/"), balancer)) return "ProxySet " + *err;
      balancer->file = file_of(cmd);
      balancer->line = cmd.node.line;
    }
  } else {
    const auto real = de_socketfy(name);
    if (!real) return "ProxySet uses an invalid \"unix:\" URL";
    worker = find_worker(conf, nullptr, *real, mask);
    if (!worker) {
      if (!in_proxy_section) return "ProxySet can not find '" + name + "' Worker.";
      Worker created;
      if (auto err = make_worker(name, mask, false, created)) return "ProxySet " + *err;
      if (auto alert = worker_name_alert(created)) cmd.dispatcher.log("proxy", "error", *alert);
      created.file = file_of(cmd);
      created.line = cmd.node.line;
      conf.workers.push_back(std::move(created));
      worker = &conf.workers.back();
    }
  }

  const ParamContext ctx = param_context(cmd);
  while (!raw.empty()) {
    const std::string word = parser::next_word(raw);
    const auto eq = word.find('=');
    if (eq == std::string::npos)
      return "Invalid ProxySet parameter. Parameter must be in the form 'key=value'";
    const std::string key = word.substr(0, eq);
    const std::string val = word.substr(eq + 1);
    const Result err = worker ? set_worker_param(worker->params, key, val, ctx)
                              : set_balancer_param(balancer->params, key, val, ctx);
    if (err) return "ProxySet: " + *err + " " + key + "=" + val + "; " + name;
  }
  return std::nullopt;
}

} // namespace balancerd::directives::proxy
