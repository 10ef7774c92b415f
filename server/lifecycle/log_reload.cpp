#include "server/lifecycle/log_reload.hpp"

namespace balancerd::lifecycle {
namespace {

namespace d = directives;

bool same_format(const d::LogFormat& a, const d::LogFormat& b) {
  return a.source == b.source;
}

bool same_access(const d::AccessLog& a, const d::AccessLog& b) {
  return a.target == b.target && a.format_name == b.format_name && same_format(a.format, b.format) &&
         a.condition.kind == b.condition.kind && a.condition.env == b.condition.env &&
         a.condition.expr == b.condition.expr && a.global == b.global;
}

bool same_server(const d::ServerConf& a, const d::ServerConf& b) {
  if (a.core.error_log != b.core.error_log || a.core.error_log_format != b.core.error_log_format)
    return false;
  if (!(a.dir.core->log_level == b.dir.core->log_level)) return false;
  if (a.core.server_name != b.core.server_name) return false;
  if (a.log.buffered != b.log.buffered || a.log.logs.size() != b.log.logs.size()) return false;
  for (std::size_t i = 0; i < a.log.logs.size(); ++i)
    if (!same_access(a.log.logs[i], b.log.logs[i])) return false;
  // nicknames are resolved when the logs open
  if (a.log.formats.size() != b.log.formats.size()) return false;
  for (auto ia = a.log.formats.begin(), ib = b.log.formats.begin(); ia != a.log.formats.end(); ++ia, ++ib)
    if (ia->first != ib->first || !same_format(ia->second, ib->second)) return false;
  return true;
}

} // namespace

bool same_log_setup(const d::Config& a, const d::Config& b) {
  if (a.server_root != b.server_root || a.vhosts.size() != b.vhosts.size()) return false;
  if (!same_server(a.main, b.main)) return false;
  for (std::size_t i = 0; i < a.vhosts.size(); ++i)
    if (!same_server(a.vhosts[i], b.vhosts[i])) return false;
  return true;
}

ReloadedLogs logs_for_reload(const std::shared_ptr<const log::LogSet>& running, const d::Config& old_config,
                             const d::Config& next_config, const log::LogSetOptions& options) {
  ReloadedLogs r;
  if (running && same_log_setup(old_config, next_config)) {
    r.logs = running;
    try {
      running->reopen();
    } catch (const std::exception& e) {
      r.warning = e.what();
    }
    return r;
  }
  try {
    r.logs = std::make_shared<const log::LogSet>(log::LogSet::open(next_config, options));
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

} // namespace balancerd::lifecycle
