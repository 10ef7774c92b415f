// Listen (mpm_common's ap_set_listener) and ListenBacklog.
#include "directives/ci_string.hpp"
#include "directives/modules/core_handlers.hpp"
#include "directives/modules/core_vhost_address.hpp"

namespace balancerd::directives::core {

Result listen(CmdParms& cmd, Args raw) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  const std::vector<std::string> args = word_list(cmd, raw);
  if (args.empty() || args.size() > 2) return std::string("Listen requires 1 or 2 arguments.");
  const auto hp = parse_host_port(args[0]);
  if (!hp || hp->port_is_star) return std::string("Invalid address or port");
  std::string host = hp->host;
  if (host == "*") host.clear();
  if (host.find('%') != std::string::npos) return std::string("Scope id is not supported");
  if (hp->port == 0) return std::string("Port must be specified");
  Listener l;
  l.host = host;
  l.port = hp->port;
  if (args.size() == 2) l.protocol = ascii_lower(args[1]);
  l.file = cmd.node.file ? *cmd.node.file : std::string();
  l.line = cmd.node.line;
  for (const Listener& other : cmd.config.main.core.listeners)
    if (other.host == l.host && other.port == l.port)
      return std::string("Cannot define multiple Listeners on the same IP:port");
  cmd.config.main.core.listeners.push_back(std::move(l));
  return std::nullopt;
}

Result listen_backlog(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  if (apache_atoi(args[0]) < 1) return std::string("ListenBacklog must be > 0");
  cmd.config.main.core.listen_backlog = args[0];
  return std::nullopt;
}

} // namespace balancerd::directives::core
