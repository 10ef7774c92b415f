#include "server/proxypass/string_pool.hpp"

#include <vector>

namespace balancerd::proxypass {

namespace {

// Enough for the strings of the requests one thread has mapped but not finished at once in the
// common case; beyond that buffers are freed as before.
constexpr std::size_t kMaxPooled = 128;
// A buffer grown by an unusually long URL is not kept.
constexpr std::size_t kMaxCapacity = 4096;

std::vector<std::string>& pool() {
  thread_local std::vector<std::string> free;
  return free;
}

} // namespace

std::string take_pooled_string() {
  auto& free = pool();
  if (free.empty()) return {};
  std::string s = std::move(free.back());
  free.pop_back();
  return s;
}

void give_back_pooled_string(std::string& s) noexcept {
  // (A string within the inline buffer owns no memory worth keeping.)
  if (s.capacity() <= 15 || s.capacity() > kMaxCapacity || pool().size() >= kMaxPooled) {
    // (Swapped with an empty one, the buffer is freed: move-assigning an empty string would keep it.)
    std::string().swap(s);
    return;
  }
  auto& free = pool();
  s.clear();
  try {
    if (free.capacity() == 0) free.reserve(kMaxPooled);
    free.push_back(std::move(s));
  } catch (...) {
    std::string().swap(s); // no room in the list: the buffer is freed
  }
}

} // namespace balancerd::proxypass
