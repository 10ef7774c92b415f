#include "server/log/log_level.hpp"

#include <algorithm>
#include <string>

namespace balancerd::log {
namespace {

constexpr std::array<std::string_view, 16> kLevelNames = {
    "emerg",  "alert",  "crit",   "error",  "warn",   "notice", "info",   "debug",
    "trace1", "trace2", "trace3", "trace4", "trace5", "trace6", "trace7", "trace8"};

constexpr std::array<std::string_view, mod::count> kModuleNames = {"core",
                                                                   "http",
                                                                   "so",
                                                                   "mpm_event",
                                                                   "proxy",
                                                                   "proxy_http",
                                                                   "proxy_balancer",
                                                                   "proxy_hcheck",
                                                                   "proxy_wstunnel",
                                                                   "proxy_http2",
                                                                   "lbmethod_byrequests",
                                                                   "lbmethod_bybusyness",
                                                                   "lbmethod_bytraffic",
                                                                   "lbmethod_heartbeat",
                                                                   "authz_core",
                                                                   "authz_host",
                                                                   "authn_core",
                                                                   "ssl",
                                                                   "http2",
                                                                   "headers",
                                                                   "setenvif",
                                                                   "env",
                                                                   "remoteip",
                                                                   "reqtimeout",
                                                                   "log_config",
                                                                   "logio",
                                                                   "alias",
                                                                   "dir",
                                                                   "mime",
                                                                   "status",
                                                                   "unixd",
                                                                   "watchdog",
                                                                   "rewrite",
                                                                   "mpm_worker",
                                                                   "mpm_prefork",
                                                                   "socache_shmcb",
                                                                   "authz_user",
                                                                   "auth_basic",
                                                                   "authn_file",
                                                                   "deflate",
                                                                   "filter",
                                                                   "version"};

std::string_view strip(std::string_view name) {
  if (name.starts_with("mod_") && name.ends_with(".c")) return name.substr(4, name.size() - 6);
  if (name.ends_with("_module")) return name.substr(0, name.size() - 7);
  return name;
}

} // namespace

std::string_view level_name(int level) {
  if (level < 0 || level >= static_cast<int>(kLevelNames.size())) return {};
  return kLevelNames[static_cast<std::size_t>(level)];
}

std::string_view module_name(ModuleIndex m) {
  return m < kModuleNames.size() ? kModuleNames[m] : std::string_view("unknown");
}

std::optional<ModuleIndex> module_index(std::string_view name) {
  const std::string_view bare = strip(name);
  // Apache's core module is "core_module" and http_core's is "http_module".
  for (std::size_t i = 0; i < kModuleNames.size(); ++i)
    if (kModuleNames[i] == bare) return static_cast<ModuleIndex>(i);
  if (bare == "http_core") return mod::http;
  return std::nullopt;
}

int LevelTable::max_level() const {
  return *std::max_element(levels_.begin(), levels_.end());
}

LevelTable LevelTable::from(const directives::LogLevelConf& conf) {
  LevelTable t(conf.level.value_or(kDefaultLevel));
  for (const auto& [id, level] : conf.modules)
    if (auto m = module_index(id)) t.levels_[*m] = static_cast<std::uint8_t>(level);
  return t;
}

directives::LogLevelConf merge_log_level(const directives::LogLevelConf& parent,
                                         const directives::LogLevelConf& child) {
  if (child.level) return child;
  directives::LogLevelConf out = parent;
  for (const auto& [id, level] : child.modules) out.modules[id] = level;
  return out;
}

} // namespace balancerd::log
