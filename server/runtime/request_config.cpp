#include "server/runtime/request_config.hpp"

#include "server/runtime/dir_merge.hpp"
#include "server/runtime/merge_cache.hpp"
#include "server/runtime/server_merge.hpp"

namespace balancerd::runtime {

namespace d = directives;

RequestConfigResolver::RequestConfigResolver(std::shared_ptr<const d::Config> config, std::string main_name,
                                             std::size_t cache_capacity)
    : config_(std::move(config)), selector_(*config_, std::move(main_name)), table_(*config_),
      cache_capacity_(cache_capacity), generation_(MergeCache::next_generation()) {
  servers_.reserve(config_->vhosts.size() + 1);
  ServerView main;
  main.index = kMainServer;
  main.source = &config_->main;
  main.merged = config_->main;
  main.base = std::make_shared<const d::DirConf>(table_.server_dir(kMainServer));
  servers_.push_back(std::move(main));
  for (std::size_t i = 0; i < config_->vhosts.size(); ++i) {
    ServerView v;
    v.index = static_cast<int>(i);
    v.source = &config_->vhosts[i];
    v.merged = merge_server(config_->main, config_->vhosts[i]);
    v.base = std::make_shared<const d::DirConf>(table_.server_dir(v.index));
    servers_.push_back(std::move(v));
  }
}

RequestConfigResolver::~RequestConfigResolver() = default;

std::shared_ptr<const d::DirConf> RequestConfigResolver::merge(const ServerView& vhost,
                                                               const std::vector<SectionId>& applied) const {
  if (applied.empty()) return vhost.base;
  d::DirConf acc = merge_dir(*vhost.base, table_.at(applied.front()).conf);
  for (std::size_t i = 1; i < applied.size(); ++i) acc = merge_dir(acc, table_.at(applied[i]).conf);
  return std::make_shared<const d::DirConf>(std::move(acc));
}

ResolvedConfig RequestConfigResolver::resolve_uncached(const ServerView& vhost, std::string_view uri_path,
                                                       std::string_view file_path, std::string_view proxy_url,
                                                       const ExprHook& expr_hook) const {
  WalkResult walk;
  table_.walk(table_.server(vhost.index), WalkRequest{uri_path, file_path, proxy_url}, expr_hook, walk);
  return ResolvedConfig{merge(vhost, walk.applied), std::move(walk.env)};
}

ResolvedConfig RequestConfigResolver::resolve(const ServerView& vhost, std::string_view uri_path,
                                              std::string_view file_path, std::string_view proxy_url,
                                              const ExprHook& expr_hook) const {
  thread_local WalkResult walk;
  thread_local MergeCache::Key key;
  table_.walk(table_.server(vhost.index), WalkRequest{uri_path, file_path, proxy_url}, expr_hook, walk);
  ResolvedConfig out;
  if (!walk.env.empty()) out.env = walk.env;
  if (walk.applied.empty()) {
    out.dir = vhost.base;
    return out;
  }
  key.clear();
  key.push_back(static_cast<std::uint32_t>(vhost.index + 1));
  key.insert(key.end(), walk.applied.begin(), walk.applied.end());
  MergeCache& cache = MergeCache::for_thread(generation_);
  if (const auto* hit = cache.find(key)) {
    out.dir = *hit;
    return out;
  }
  out.dir = merge(vhost, walk.applied);
  cache.insert(key, out.dir, cache_capacity_);
  return out;
}

RequestConfigResolver::CacheStats RequestConfigResolver::cache_stats() const {
  const MergeCache& cache = MergeCache::for_thread(generation_);
  return CacheStats{cache.hits, cache.misses, cache.size()};
}

} // namespace balancerd::runtime
