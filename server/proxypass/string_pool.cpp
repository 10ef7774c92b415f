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
  // Emptied here, where the caller is about to write the buffer anyway: emptying it when it was
  // given back wrote a byte into a line that may be cold by the time it is taken again.
  s.clear();
  return s;
}

void give_back_pooled_string(std::string& s) noexcept {
  // A string within its inline buffer (a moved-from one) owns no memory: nothing to keep or free.
  if (s.capacity() <= 15) {
    s.clear();
    return;
  }
  auto& free = pool();
  if (s.capacity() > kMaxCapacity || free.size() >= kMaxPooled) {
    // (Swapped with an empty one, the buffer is freed: move-assigning an empty string would keep it.)
    std::string().swap(s);
    return;
  }
  if (free.capacity() < kMaxPooled) {
    try {
      free.reserve(kMaxPooled);
    } catch (...) {
      std::string().swap(s); // no memory for the list: the buffer is freed
      return;
    }
  }
  free.push_back(std::move(s)); // within the reserved capacity: no allocation, no throw
}

} // namespace balancerd::proxypass
