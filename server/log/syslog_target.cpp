#include "server/log/syslog_target.hpp"

#include <array>
#include <syslog.h>
#include <utility>

namespace balancerd::log {

std::optional<int> SyslogTarget::facility_value(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, int>, 20> kFacilities = {{
      {"auth", LOG_AUTH},     {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},     {"daemon", LOG_DAEMON},
      {"ftp", LOG_FTP},       {"kern", LOG_KERN},         {"lpr", LOG_LPR},       {"mail", LOG_MAIL},
      {"news", LOG_NEWS},     {"syslog", LOG_SYSLOG},     {"user", LOG_USER},     {"uucp", LOG_UUCP},
      {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
      {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},     {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
  }};
  for (const auto& [n, v] : kFacilities)
    if (n == name) return v;
  return std::nullopt;
}

int SyslogTarget::priority(int level) {
  if (level < 0) return LOG_INFO;
  return level > LOG_DEBUG ? LOG_DEBUG : level; // Apache's levels 0-7 are syslog's priorities
}

SyslogTarget::SyslogTarget(std::string_view spec, std::string_view ident) : ident_(ident) {
  facility_ = LOG_LOCAL7;
  const auto colon = spec.find(':');
  if (colon != std::string_view::npos) {
    const auto f = facility_value(spec.substr(colon + 1));
    if (!f) throw LogOpenError("AH00093: Invalid syslog facility: " + std::string(spec.substr(colon + 1)));
    facility_ = *f;
  }
  ::openlog(ident_.c_str(), LOG_NDELAY | LOG_CONS | LOG_PID, facility_);
}

void SyslogTarget::write(std::string_view lines, int level) {
  while (!lines.empty()) {
    const auto nl = lines.find('\n');
    const std::string_view line = lines.substr(0, nl);
    ::syslog(facility_ | priority(level), "%.*s", static_cast<int>(line.size()), line.data());
    if (nl == std::string_view::npos) break;
    lines.remove_prefix(nl + 1);
  }
}

} // namespace balancerd::log
