// <Proxy url> and <ProxyMatch regex> (mod_proxy.c's proxysection): a per-dir section matched against
// backend URLs. Its children are walked first; then key=value words after the URL configure the worker
// or balancer it names, creating it if needed.
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

Result section(CmdParms& cmd, bool is_match) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  std::string text;
  if (auto err = section_arg_text(cmd, text, false)) return err;
  std::string_view arg = text;
  std::string path = parser::next_word(arg);
  if (ci_starts_with(path, "proxy:")) path.erase(0, 6);
  if (is_match && !directives::regex_compiles(path)) return std::string("Regex could not be compiled");

  Section& sec = open_section(cmd, is_match ? SectionKind::ProxyMatch : SectionKind::Proxy, path, is_match);
  sec.conf.proxy->is_proxy_section = true;
  sec.conf.proxy->path_is_fnmatch = fnmatch_test(path);
  if (auto err = cmd.dispatcher.walk_children(cmd, cmd.server, &sec, Dispatcher::section_override))
    return err;
  const bool fnmatch = sec.conf.proxy->path_is_fnmatch;

  if (arg.empty()) return std::nullopt;
  const std::string name = std::string(cmd.def.name);
  if (is_match) return std::string("Multiple <ProxyMatch> arguments not (yet) supported.");
  if (fnmatch) return name + "> arguments are not supported for wildchar url.";
  if (path.find(':') == std::string::npos) return name + "> arguments are not supported for non url.";

  ProxyServerConf& conf = cmd.server.proxy;
  Balancer* balancer = nullptr;
  Worker* worker = nullptr;
  if (is_balancer_url(path)) {
    balancer = find_balancer(conf, path);
    if (!balancer) {
      if (auto err = define_balancer(conf, path, std::string_view("/"), balancer)) return name + " " + *err;
      balancer->file = sec.file;
      balancer->line = sec.line;
    }
    if (!balancer->has_section) {
      balancer->section = path;
      balancer->has_section = true;
    }
  } else {
    const auto real = de_socketfy(path);
    if (!real) return std::string("<Proxy/ProxyMatch > uses an invalid \"unix:\" URL");
    worker = find_worker(conf, nullptr, *real, kPrefix);
    if (!worker) {
      Worker created;
      if (auto err = make_worker(path, kPrefix, false, created)) return name + " " + *err;
      if (auto alert = worker_name_alert(created)) cmd.dispatcher.log("proxy", "error", *alert);
      created.file = sec.file;
      created.line = sec.line;
      conf.workers.push_back(std::move(created));
      worker = &conf.workers.back();
    }
    if (!worker->has_section) {
      worker->section = path;
      worker->has_section = true;
    }
  }

  const ParamContext ctx = param_context(cmd);
  while (!arg.empty()) {
    const std::string word = parser::next_word(arg);
    const auto eq = word.find('=');
    if (eq == std::string::npos)
      return std::string("Invalid Proxy parameter. Parameter must be in the form 'key=value'");
    const std::string key = word.substr(0, eq);
    const std::string val = word.substr(eq + 1);
    const Result err = worker ? set_worker_param(worker->params, key, val, ctx)
                              : set_balancer_param(balancer->params, key, val, ctx);
    if (err) return name + " " + *err + " " + key + "=" + val + "; " + path;
  }
  return std::nullopt;
}

} // namespace

Result proxy_section(CmdParms& cmd, Args) {
  return section(cmd, false);
}
Result proxy_match_section(CmdParms& cmd, Args) {
  return section(cmd, true);
}

} // namespace balancerd::directives::proxy
