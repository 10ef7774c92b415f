#pragma once
// The per-thread cache of merged per-dir configs, keyed by (server, matched section ids). Bounded:
// when full it is emptied (entries still in use stay alive through their shared_ptr). Separate
// caches per resolver generation, so a reload's new resolver never sees the old one's entries; a
// thread keeps the few most recent generations.
#include "directives/model/config.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace balancerd::runtime {

class MergeCache {
public:
  using Key = std::vector<std::uint32_t>;
  using Value = std::shared_ptr<const directives::DirConf>;

  // The calling thread's cache for `generation`.
  static MergeCache& for_thread(std::uint64_t generation);
  // A new generation number (one per resolver).
  static std::uint64_t next_generation();

  const Value* find(const Key& key);
  void insert(const Key& key, Value value, std::size_t capacity);

  std::uint64_t hits = 0, misses = 0;
  std::size_t size() const { return map_.size(); }

private:
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  std::unordered_map<Key, Value, KeyHash> map_;
  // The last key found and its entry: a thread serves the same few sections over and over, and a
  // compare of two short vectors is cheaper than hashing. Node pointers stay valid until clear().
  Key last_key_;
  const Value* last_ = nullptr;
};

} // namespace balancerd::runtime
