#include "server/log/log_target.hpp"

#include "server/log/file_target.hpp"
#include "server/log/piped_log.hpp"
#include "server/log/syslog_target.hpp"

namespace balancerd::log {

std::shared_ptr<LogTarget> open_log_target(std::string_view spec, LogKind kind, std::string_view program) {
  if (spec.starts_with("|")) return std::make_shared<PipedLog>(spec);
  // mod_log_config has no syslog destination: "syslog" there is a file name, as in Apache.
  if (kind == LogKind::Error && (spec == "syslog" || spec.starts_with("syslog:")))
    return std::make_shared<SyslogTarget>(spec, program);
  return std::make_shared<FileTarget>(std::string(spec), kind);
}

} // namespace balancerd::log
