#pragma once
// ErrorLog syslog[:facility]: one syslog() call per line at the priority of its level (trace* are
// LOG_DEBUG), ident the program name, as Apache does.
#include "server/log/log_target.hpp"

#include <optional>

namespace balancerd::log {

class SyslogTarget : public LogTarget {
public:
  // `spec` is "syslog" or "syslog:facility" (default local7). Throws LogOpenError on an unknown
  // facility.
  SyslogTarget(std::string_view spec, std::string_view ident);
  void write(std::string_view lines, int level = -1) override;
  bool is_syslog() const override { return true; }
  int facility() const { return facility_; }

  // "local7" -> LOG_LOCAL7 ...; nullopt if unknown.
  static std::optional<int> facility_value(std::string_view name);
  // emerg -> LOG_EMERG ... debug and trace* -> LOG_DEBUG.
  static int priority(int level);

private:
  std::string ident_; // openlog keeps the pointer
  int facility_;
};

} // namespace balancerd::log
