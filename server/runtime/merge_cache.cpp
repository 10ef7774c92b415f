#include "server/runtime/merge_cache.hpp"

#include <algorithm>
#include <atomic>

namespace balancerd::runtime {

namespace {

constexpr std::size_t kGenerationsPerThread = 4;

struct ThreadCaches {
  struct Entry {
    std::uint64_t generation = 0;
    std::uint64_t last_use = 0;
    std::unique_ptr<MergeCache> cache;
  };
  std::vector<Entry> entries;
  std::uint64_t clock = 0;
};

} // namespace

std::size_t MergeCache::KeyHash::operator()(const Key& k) const noexcept {
  // FNV-1a over the ids: keys are short lists of small integers.
  std::uint64_t h = 1469598103934665603ull;
  for (std::uint32_t v : k) {
    h ^= v;
    h *= 1099511628211ull;
  }
  return static_cast<std::size_t>(h);
}

std::uint64_t MergeCache::next_generation() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

MergeCache& MergeCache::for_thread(std::uint64_t generation) {
  thread_local ThreadCaches caches;
  ++caches.clock;
  for (auto& e : caches.entries)
    if (e.generation == generation) {
      e.last_use = caches.clock;
      return *e.cache;
    }
  if (caches.entries.size() >= kGenerationsPerThread) {
    auto oldest = std::min_element(caches.entries.begin(), caches.entries.end(),
                                   [](const auto& a, const auto& b) { return a.last_use < b.last_use; });
    caches.entries.erase(oldest);
  }
  caches.entries.push_back({generation, caches.clock, std::make_unique<MergeCache>()});
  return *caches.entries.back().cache;
}

const MergeCache::Value* MergeCache::find(const Key& key) {
  if (last_ && key == last_key_) {
    ++hits;
    return last_;
  }
  auto it = map_.find(key);
  if (it == map_.end()) {
    ++misses;
    return nullptr;
  }
  ++hits;
  last_key_.assign(key.begin(), key.end());
  last_ = &it->second;
  return last_;
}

void MergeCache::insert(const Key& key, Value value, std::size_t capacity) {
  if (capacity == 0) return;
  if (map_.size() >= capacity) {
    map_.clear();
    last_ = nullptr; // pointed into a node just freed
  }
  map_.emplace(key, std::move(value));
}

} // namespace balancerd::runtime
