#include "server/proxypass/regex_cache.hpp"

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace balancerd::proxypass {

const directives::Regex* cached_regex(const std::string& pattern) {
  // Entries are never removed: the set of patterns is bounded by what configurations hold.
  static std::shared_mutex mutex;
  static std::unordered_map<std::string, std::unique_ptr<directives::Regex>> cache;
  {
    std::shared_lock lock(mutex);
    if (auto it = cache.find(pattern); it != cache.end()) return it->second.get();
  }
  std::unique_lock lock(mutex);
  auto& slot = cache[pattern];
  if (!slot) {
    if (auto compiled = directives::Regex::compile(pattern))
      slot = std::make_unique<directives::Regex>(*compiled);
  }
  return slot.get();
}

} // namespace balancerd::proxypass
