// BalancerMember and ProxySet (mod_proxy.c's add_member and set_proxy_param): which balancer or worker
// they address, when they create it, and the framing of parameter errors.
#include "directives/ci_string.hpp"
#include "directives/dispatcher.hpp"
#include "directives/modules/proxy_context.hpp"
#include "directives/modules/proxy_handlers.hpp"
#include "directives/modules/proxy_url.hpp"
#include "directives/modules/proxy_workers.hpp"
#include "parser/words.hpp"

#include <boost/container/small_vector.hpp>

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
  std::string section_storage;
  const std::optional<std::string_view> section = cmd_path_view(cmd, section_storage);
  // The line's words first (views into them follow, so they stay put), on the stack for a usual
  // line: this runs for every member of every balancer.
  boost::container::small_vector<std::string, 8> words;
  std::string_view raw = args.empty() ? std::string_view() : std::string_view(args[0]);
  while (!raw.empty()) words.push_back(parser::next_word(raw));
  std::optional<std::string_view> path;
  if (section) path = *section;
  std::optional<std::string_view> name;
  // key=value as Apache's apr_table_setn: a repeated key (any case) keeps its first place and takes
  // the last value.
  struct Param {
    std::string_view key, val;
  };
  boost::container::small_vector<Param, 8> params;
  for (const std::string& word : words) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) {
      if (!path)
        path = word;
      else if (!name)
        name = word;
      else if (section)
        return "BalancerMember can not have a balancer name when defined in a location";
      else
        return "Invalid BalancerMember parameter. Parameter must be in the form 'key=value'";
      continue;
    }
    const std::string_view key = std::string_view(word).substr(0, eq);
    const std::string_view val = std::string_view(word).substr(eq + 1);
    auto same =
        std::find_if(params.begin(), params.end(), [key](const Param& p) { return ci_equal(p.key, key); });
    if (same != params.end())
      same->val = val;
    else
      params.push_back({key, val});
  }
  if (!path) return "BalancerMember must define balancer name when outside <Proxy > section";
  if (!name) return "BalancerMember must define remote proxy server";
  if (ci_starts_with(*name, "unix:") && !de_socketfy(*name))
    return "BalancerMember uses an invalid \"unix:\" URL";

  // Found case-insensitively; defined (and named in its errors) lower-cased, as Apache lowers it.
  Balancer* balancer = find_balancer(conf, *path);
  if (!balancer) {
    if (auto err = define_balancer(conf, ascii_lower(*path), std::string_view("/"), balancer))
      return "BalancerMember " + *err;
    balancer->file = file_of(cmd);
    balancer->line = cmd.node.line;
  }
  if (Worker* existing = find_worker(conf, balancer, *name, 0)) {
    // Worker sharing inside the balancer: the first definition's parameters stay.
    const std::string shared = worker_display_name(*existing);
    cmd.dispatcher.log("proxy", "info",
                       "AH01149: Sharing worker '" + shared + "' instead of creating new worker '" +
                           std::string(*name) + "'");
    for (const Param& p : params)
      cmd.dispatcher.log("proxy", "warn",
                         "AH01150: Ignoring parameter '" + std::string(p.key) + "=" + std::string(p.val) +
                             "' for worker '" + shared + "' because of worker sharing");
    return std::nullopt;
  }
  // Apache's debug lines carry the source position of its own code; kept so logs compare equal.
  // Composed only when LogLevel lets them through (BalancerMember is frequent in large configs).
  const bool debug = cmd.dispatcher.log_enabled("proxy", "debug");
  if (debug)
    cmd.dispatcher.log("proxy", "debug",
                       "mod_proxy.c(2674): AH01147: Defining worker '" + std::string(*name) +
                           "' for balancer '" + balancer->name + "'");
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
  if (params.empty()) return std::nullopt;
  const ParamContext ctx = param_context(cmd);
  for (const Param& p : params)
    if (auto err = set_worker_param(worker.params, p.key, p.val, ctx)) return fail(std::move(*err));
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
