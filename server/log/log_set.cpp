#include "server/log/log_set.hpp"

#include <map>

namespace balancerd::log {
namespace {

class TargetCache {
public:
  explicit TargetCache(std::string program) : program_(std::move(program)) {}
  std::shared_ptr<LogTarget> get(const std::string& spec, LogKind kind) {
    // Piped programs are spawned once per directive, as Apache does; files and syslog are shared.
    if (spec.starts_with("|")) return open_log_target(spec, kind, program_);
    auto& slot = cache_[spec];
    if (!slot) slot = open_log_target(spec, kind, program_);
    return slot;
  }

private:
  std::string program_;
  std::map<std::string, std::shared_ptr<LogTarget>> cache_;
};

std::string server_name_of(const directives::ServerConf& s, const directives::ServerConf& main) {
  if (s.core.server_name) {
    std::string name = *s.core.server_name;
    if (auto p = name.find("://"); p != std::string::npos) name.erase(0, p + 3);
    if (auto colon = name.rfind(':'); colon != std::string::npos && name.find(']') == std::string::npos)
      name.erase(colon);
    return name;
  }
  return &s == &main ? std::string() : server_name_of(main, main);
}

} // namespace

LogSet LogSet::open(const directives::Config& config, const LogSetOptions& options) {
  LogSet set;
  TargetCache targets(options.program);
  const directives::ServerConf& main = config.main;
  const bool buffered = main.log.buffered.value_or(false);

  auto open_access = [&](const directives::ServerConf& s, const directives::AccessLog& conf) {
    const directives::LogFormat format = resolve_format(conf, {&s.log, &main.log});
    auto log =
        std::make_shared<AccessLog>(targets.get(conf.target, LogKind::Access), compile_access_format(format),
                                    conf.condition, buffered, options.expr_eval);
    set.all_access_.push_back(log);
    return log;
  };

  // Main server.
  ServerLogs m;
  m.levels = LevelTable::from(main.dir.core->log_level);
  const std::string main_spec = main.core.error_log.value_or(default_error_log(config));
  m.error_log = std::make_shared<ErrorLog>(targets.get(main_spec, LogKind::Error), main.core.error_log_format,
                                           m.levels, server_name_of(main, main));
  set.all_error_.push_back(m.error_log);
  std::vector<std::shared_ptr<AccessLog>> global;
  for (const auto& conf : main.log.logs) {
    auto log = open_access(main, conf);
    m.access_logs.push_back(log);
    if (conf.global) global.push_back(log);
  }
  set.servers_.push_back(std::move(m));

  for (const directives::ServerConf& v : config.vhosts) {
    ServerLogs s;
    s.levels = LevelTable::from(merge_log_level(main.dir.core->log_level, v.dir.core->log_level));
    const auto& format = v.core.error_log_format ? v.core.error_log_format : main.core.error_log_format;
    if (v.core.error_log) {
      s.error_log = std::make_shared<ErrorLog>(targets.get(*v.core.error_log, LogKind::Error), format,
                                               s.levels, server_name_of(v, main));
      set.all_error_.push_back(s.error_log);
    } else {
      // The main server's destination with this vhost's levels and name.
      s.error_log = std::make_shared<ErrorLog>(set.servers_.front().error_log->target_ptr(), format, s.levels,
                                               server_name_of(v, main));
    }
    if (v.log.logs.empty()) {
      s.access_logs = set.servers_.front().access_logs;
    } else {
      for (const auto& conf : v.log.logs) s.access_logs.push_back(open_access(v, conf));
      s.access_logs.insert(s.access_logs.end(), global.begin(), global.end());
    }
    set.servers_.push_back(std::move(s));
  }
  return set;
}

void LogSet::flush() const {
  for (const auto& l : all_access_) l->flush();
}

void LogSet::flush_older_than(std::chrono::steady_clock::duration age) const {
  for (const auto& l : all_access_) l->flush_older_than(age);
}

void LogSet::reopen() const {
  for (const auto& l : all_access_) l->reopen();
  for (const auto& e : all_error_) e->reopen();
}

std::string default_error_log(const directives::Config& config) {
  std::string root = config.server_root.empty() ? std::string("/etc/apache2") : config.server_root;
  if (root.back() != '/') root += '/';
  return root + "logs/error_log";
}

} // namespace balancerd::log
