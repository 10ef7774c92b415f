#pragma once
// Logs across a graceful reload. Apache's root parent reopens every log; balancerd runs as User
// after start, so it may not be allowed to open root-owned log files again. When the new
// configuration names the same logs (same files, formats, levels, the same servers), the running
// LogSet is kept and only reopened (best effort: after a rotation the files are recreated when
// permissions allow). Otherwise the new configuration's logs are opened; if that fails, the reload
// is refused and the running configuration stays.
#include <memory>
#include <string>

#include "directives/model/config.hpp"
#include "server/log/log_set.hpp"

namespace balancerd::lifecycle {

// Do both configurations open the same logs in the same way?
bool same_log_setup(const directives::Config& a, const directives::Config& b);

struct ReloadedLogs {
  std::shared_ptr<const log::LogSet> logs; // null: could not open (error says why)
  std::string error;
  std::string warning; // the kept set could not be reopened (it keeps writing to the old files)
};

ReloadedLogs logs_for_reload(const std::shared_ptr<const log::LogSet>& running,
                             const directives::Config& old_config, const directives::Config& next_config,
                             const log::LogSetOptions& options);

} // namespace balancerd::lifecycle
