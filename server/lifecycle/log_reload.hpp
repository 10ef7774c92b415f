#pragma once
// Logs across a graceful reload. Apache's root parent reopens every log. balancerd runs as User after
// start, so when it started as root, its privileged helper (privileged_helper.hpp) opens the files
// and starts the piped loggers for it, as root: a reload may add servers with their own ErrorLog or
// CustomLog anywhere root could write, and the files are created root-owned as apache2 creates
// them. Without a helper (not started as root), the process opens them itself, with its own rights.
// When the new configuration names the same logs (same files, formats, levels, the same servers),
// the running LogSet is kept and only reopened (after a rotation the files are recreated; a failure
// there is a warning and the old files go on). Otherwise the new configuration's logs are opened;
// if that fails (a missing directory, a program that cannot start), the reload is refused and the
// running configuration stays.
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
