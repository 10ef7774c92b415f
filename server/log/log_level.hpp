#pragma once
// Log levels and per-module level tables. The hot path asks LevelTable::enabled(module, level) before
// it formats anything: one array load and a compare.
#include "directives/model/core_conf.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace balancerd::log {

// Apache's numbering: emerg=0 ... warn=4 ... debug=7, trace1=8 ... trace8=15.
enum Level : std::uint8_t {
  kEmerg = 0,
  kAlert,
  kCrit,
  kError,
  kWarn,
  kNotice,
  kInfo,
  kDebug,
  kTrace1,
  kTrace2,
  kTrace3,
  kTrace4,
  kTrace5,
  kTrace6,
  kTrace7,
  kTrace8
};
inline constexpr int kDefaultLevel = kWarn; // Apache's default LogLevel

// "emerg", "trace5"...; "" for an out-of-range value.
std::string_view level_name(int level);

// The modules balancerd logs as, each with the short name Apache prints ("proxy", "core"). The index
// is what hot-path code passes; LogLevel's "proxy_module" keys are mapped to it once.
using ModuleIndex = std::uint8_t;
namespace mod {
inline constexpr ModuleIndex core = 0, http = 1, so = 2, mpm_event = 3, proxy = 4, proxy_http = 5,
                             proxy_balancer = 6, proxy_hcheck = 7, proxy_wstunnel = 8, proxy_http2 = 9,
                             lbmethod_byrequests = 10, lbmethod_bybusyness = 11, lbmethod_bytraffic = 12,
                             lbmethod_heartbeat = 13, authz_core = 14, authz_host = 15, authn_core = 16,
                             ssl = 17, http2 = 18, headers = 19, setenvif = 20, env = 21, remoteip = 22,
                             reqtimeout = 23, log_config = 24, logio = 25, alias = 26, dir = 27, mime = 28,
                             status = 29, unixd = 30, watchdog = 31, rewrite = 32, mpm_worker = 33,
                             mpm_prefork = 34, socache_shmcb = 35, authz_user = 36, auth_basic = 37,
                             authn_file = 38, deflate = 39, filter = 40, version = 41;
inline constexpr std::size_t count = 42;
} // namespace mod

// "proxy"; the index must be < mod::count.
std::string_view module_name(ModuleIndex m);
// Accepts "proxy", "proxy_module" or "mod_proxy.c" (LogLevel's spellings); nullopt if balancerd has
// no such module (its LogLevel entries then have nothing to filter).
std::optional<ModuleIndex> module_index(std::string_view name);

// Effective levels of one server or directory context.
class LevelTable {
public:
  LevelTable() { levels_.fill(kDefaultLevel); }
  explicit LevelTable(int level) { levels_.fill(static_cast<std::uint8_t>(level)); }

  bool enabled(ModuleIndex m, int level) const { return level <= levels_[m]; }
  int level(ModuleIndex m) const { return levels_[m]; }
  // The highest level any module logs at (cheap "could anything be logged at this level" check).
  int max_level() const;

  // From a merged LogLevelConf: the bare level (or warn) everywhere, then the module overrides.
  static LevelTable from(const directives::LogLevelConf& conf);

private:
  std::array<std::uint8_t, mod::count> levels_{};
};

// Apache's merge of a section's LogLevel over its parent's: a bare level in the child replaces the
// parent's levels entirely (with the child's module levels); module levels alone overlay the parent's.
directives::LogLevelConf merge_log_level(const directives::LogLevelConf& parent,
                                         const directives::LogLevelConf& child);

} // namespace balancerd::log
