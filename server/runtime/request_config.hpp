#pragma once
// Per-request configuration: the one call the request path makes once it knows the vhost, the URL
// path, and the file or backend URL the request maps to. Everything that can be is done when the
// resolver is built (sections compiled, regexes compiled, vhost and server levels merged); per
// request it walks the sections (section_walk.hpp) and merges the matched ones over the server's
// level (dir_merge.hpp). Merged results are cached per thread, keyed by the list of matched sections,
// so a hot path sees a hash lookup and no merge. No locks: each thread has its own bounded cache.
#include "directives/model/config.hpp"
#include "server/runtime/section_walk.hpp"
#include "server/runtime/vhost_selector.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::runtime {

// A server as requests see it: its effective server-level settings (vhost merged over main).
struct ServerView {
  int index = kMainServer;                         // kMainServer or Config::vhosts index
  const directives::ServerConf* source = nullptr;  // as written
  directives::ServerConf merged;                   // server_merge.hpp
  std::shared_ptr<const directives::DirConf> base; // the per-dir settings of the server level
};

struct ResolvedConfig {
  std::shared_ptr<const directives::DirConf> dir; // effective per-dir settings
  MatchEnv env;                                   // MATCH_* from named regex groups
};

class RequestConfigResolver {
public:
  // `main_name`: the main server's name when it has none (CompileResult::fqdn). `cache_capacity`:
  // merged configs kept per thread (the cache is emptied when full).
  explicit RequestConfigResolver(std::shared_ptr<const directives::Config> config, std::string main_name = {},
                                 std::size_t cache_capacity = 1024);
  ~RequestConfigResolver();
  RequestConfigResolver(const RequestConfigResolver&) = delete;
  RequestConfigResolver& operator=(const RequestConfigResolver&) = delete;

  const directives::Config& config() const { return *config_; }
  const VhostSelector& vhosts() const { return selector_; }
  const SectionTable& sections() const { return table_; }
  // kMainServer or a vhost index (what VhostSelector::select returns).
  const ServerView& server(int index) const { return servers_[static_cast<std::size_t>(index + 1)]; }

  // The effective per-dir configuration of a request. `file_path` ("" if none; a directory ends with
  // '/') drives the <Directory>/<Files> walk, `proxy_url` (non-empty for a proxied request) the <Proxy>
  // walk instead. `expr_hook` evaluates <If> conditions.
  ResolvedConfig resolve(const ServerView& vhost, std::string_view uri_path, std::string_view file_path,
                         std::string_view proxy_url, const ExprHook& expr_hook) const;
  // The same without the cache: merges every time (tests compare both).
  ResolvedConfig resolve_uncached(const ServerView& vhost, std::string_view uri_path,
                                  std::string_view file_path, std::string_view proxy_url,
                                  const ExprHook& expr_hook) const;

  // Merges `applied` (section ids) over the server level of `vhost`.
  std::shared_ptr<const directives::DirConf> merge(const ServerView& vhost,
                                                   const std::vector<SectionId>& applied) const;

  // Cache counters of the calling thread for this resolver (for tests and stats).
  struct CacheStats {
    std::uint64_t hits = 0, misses = 0;
    std::size_t size = 0;
  };
  CacheStats cache_stats() const;

private:
  std::shared_ptr<const directives::Config> config_;
  VhostSelector selector_;
  SectionTable table_;
  std::vector<ServerView> servers_;
  std::size_t cache_capacity_;
  std::uint64_t generation_; // identifies this resolver in the per-thread caches
};

} // namespace balancerd::runtime
