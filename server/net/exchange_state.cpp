#include "server/net/exchange_state.hpp"

#include <cstring>
#include <vector>

namespace balancerd::net {
namespace {

constexpr std::size_t kInitialBuffer = 8192;
// Buffers that grew past these sizes (a huge head, a big chunk) are not kept warm.
constexpr std::size_t kKeepBuffer = 64 * 1024;
constexpr std::size_t kKeepOut = 64 * 1024;
constexpr std::size_t kKeepHeaders = 128;
constexpr std::size_t kPoolMax = 256;

struct Pool {
  std::vector<std::unique_ptr<ExchangeState>> free;
};
thread_local Pool pool;

} // namespace

void ReadBuffer::reserve_space(std::size_t min_space) {
  if (space_size() >= min_space) return;
  std::size_t used = size();
  if (data_ && head_ > 0 && cap_ - used >= min_space) {
    std::memmove(data_.get(), data_.get() + head_, used);
    head_ = 0;
    tail_ = used;
    return;
  }
  std::size_t cap = cap_ ? cap_ : kInitialBuffer;
  while (cap - used < min_space) cap *= 2;
  auto fresh = std::make_unique_for_overwrite<char[]>(cap);
  if (used) std::memcpy(fresh.get(), data_.get() + head_, used);
  data_ = std::move(fresh);
  cap_ = cap;
  head_ = 0;
  tail_ = used;
}

std::unique_ptr<ExchangeState> acquire_exchange_state() {
  if (pool.free.empty()) return std::make_unique<ExchangeState>();
  auto s = std::move(pool.free.back());
  pool.free.pop_back();
  return s;
}

void release_exchange_state(std::unique_ptr<ExchangeState> s) {
  if (!s) return;
  if (pool.free.size() >= kPoolMax) return;
  s->in.clear();
  if (s->in.capacity() > kKeepBuffer) s->in.release();
  s->out.clear();
  if (s->out.capacity() > kKeepOut) s->out.shrink_to_fit();
  s->request.clear();
  if (s->request.headers.capacity() > kKeepHeaders) s->request.headers.shrink_to_fit();
  s->head.clear();
  pool.free.push_back(std::move(s));
}

} // namespace balancerd::net
