// MPM tuning (event, worker, prefork): read with atoi as Apache does, kept for -S and for the
// startup warnings; balancerd's own threading does not use them (NoEffect).
#include "directives/modules/core_handlers.hpp"

#include <cstdlib>

namespace balancerd::directives::core {

namespace {
Result set(CmdParms& cmd, const std::string& arg, std::optional<int> MpmConf::*slot) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  cmd.config.main.core.mpm_conf.*slot = apache_atoi(arg);
  return std::nullopt;
}
} // namespace

Result start_servers(CmdParms& c, Args a) {
  return set(c, a[0], &MpmConf::start_servers);
}
Result server_limit(CmdParms& c, Args a) {
  return set(c, a[0], &MpmConf::server_limit);
}
Result thread_limit(CmdParms& c, Args a) {
  return set(c, a[0], &MpmConf::thread_limit);
}
Result threads_per_child(CmdParms& c, Args a) {
  return set(c, a[0], &MpmConf::threads_per_child);
}
Result max_request_workers(CmdParms& c, Args a) {
  return set(c, a[0], &MpmConf::max_request_workers);
}
Result min_spare_threads(CmdParms& c, Args a) {
  return set(c, a[0], &MpmConf::min_spare_threads);
}
Result max_spare_threads(CmdParms& c, Args a) {
  return set(c, a[0], &MpmConf::max_spare_threads);
}
Result min_spare_servers(CmdParms& c, Args a) {
  return set(c, a[0], &MpmConf::min_spare_servers);
}
Result max_spare_servers(CmdParms& c, Args a) {
  return set(c, a[0], &MpmConf::max_spare_servers);
}
Result max_connections_per_child(CmdParms& c, Args a) {
  return set(c, a[0], &MpmConf::max_connections_per_child);
}
Result async_request_worker_factor(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  if (std::strtod(args[0].c_str(), nullptr) <= 0)
    return std::string("AsyncRequestWorkerFactor argument must be a positive number");
  cmd.config.main.core.mpm_conf.async_request_worker_factor = apache_atoi(args[0]);
  return std::nullopt;
}

Result graceful_shutdown_timeout(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  cmd.config.main.core.grace_period_seconds = apache_atoi(args[0]);
  return std::nullopt;
}

} // namespace balancerd::directives::core
