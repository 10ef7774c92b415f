#include "server/net/buffer_pool.hpp"

#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define BALANCERD_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BALANCERD_POOL_ASAN 1
#endif
#endif
#if BALANCERD_POOL_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace balancerd::net {

namespace {

// Cache-line aligned, so a buffer shares no line with a neighbour's allocator metadata.
constexpr std::align_val_t kAlign{64};

char* allocate(std::size_t size) {
  return static_cast<char*>(::operator new(size, kAlign));
}

// Under AddressSanitizer an idle buffer is poisoned: a view kept into a buffer after its loan ended
// (a bug the pool would otherwise hide, the memory staying valid) is reported as a use after poison.
#if BALANCERD_POOL_ASAN
void poison(char* p, std::size_t n) noexcept {
  ASAN_POISON_MEMORY_REGION(p, n);
}
void unpoison(char* p, std::size_t n) noexcept {
  ASAN_UNPOISON_MEMORY_REGION(p, n);
}
#else
void poison(char*, std::size_t) noexcept {}
void unpoison(char*, std::size_t) noexcept {}
#endif

void deallocate(char* p, std::size_t n) noexcept {
  unpoison(p, n);
  ::operator delete(p, kAlign);
}

// Whether this thread's pool exists yet / still: a handle destroyed during thread exit, after the
// pool's thread_local destructor ran, frees its buffer instead of touching the dead pool (a
// trivially destructible thread_local stays readable to the end).
enum class PoolState : unsigned char { Unborn, Alive, Dead };
thread_local PoolState pool_state = PoolState::Unborn;

struct LocalPool {
  BufferPool pool;
  LocalPool() { pool_state = PoolState::Alive; }
  ~LocalPool() { pool_state = PoolState::Dead; }
};

// Null once the thread's pool is destroyed.
BufferPool* local_pool() {
  if (pool_state == PoolState::Dead) return nullptr;
  thread_local LocalPool p;
  return &p.pool;
}

} // namespace

void IoBuffer::reset() noexcept {
  if (!data_) return;
  BufferPool::give_back_local(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

BufferPool::BufferPool(std::size_t common_cap, std::size_t other_cap)
    : common_cap_(common_cap), other_cap_(other_cap) {
  // The free lists never grow while the server runs: returning a buffer never allocates.
  common_.reserve(common_cap_);
  other_.reserve(other_cap_);
}

BufferPool::~BufferPool() {
  trim();
}

BufferPool& BufferPool::local() {
  if (BufferPool* p = local_pool()) return *p;
  // Only during thread exit: a pool that keeps nothing idle, so it only ever allocates (its
  // buffers are freed when given back, as this thread's pool is dead).
  static BufferPool unpooled(0, 0);
  return unpooled;
}

IoBuffer BufferPool::borrow(std::size_t size) {
  if (size == 0) size = 1;
  if (size == kCommonSize) {
    if (!common_.empty()) {
      char* p = common_.back();
      common_.pop_back();
      unpoison(p, size);
      return IoBuffer(p, size);
    }
    return IoBuffer(allocate(size), size);
  }
  for (std::size_t i = other_.size(); i-- > 0;) {
    if (other_[i].size != size) continue;
    char* p = other_[i].data;
    other_.erase(other_.begin() + static_cast<std::ptrdiff_t>(i));
    unpoison(p, size);
    return IoBuffer(p, size);
  }
  return IoBuffer(allocate(size), size);
}

void BufferPool::give_back(char* data, std::size_t size) noexcept {
  if (size == kCommonSize) {
    if (common_.size() < common_cap_) {
      poison(data, size);
      return common_.push_back(data);
    }
  } else if (other_cap_ > 0) {
    if (other_.size() == other_cap_) {
      // The oldest idle buffer of another size makes room: sizes in use now are likelier to recur.
      deallocate(other_.front().data, other_.front().size);
      other_.erase(other_.begin());
    }
    poison(data, size);
    return other_.push_back({data, size});
  }
  deallocate(data, size);
}

void BufferPool::give_back_local(char* data, std::size_t size) noexcept {
  if (BufferPool* p = local_pool()) return p->give_back(data, size);
  deallocate(data, size);
}

void BufferPool::set_caps(std::size_t common, std::size_t other) {
  common_cap_ = common;
  other_cap_ = other;
  while (common_.size() > common_cap_) {
    deallocate(common_.front(), kCommonSize);
    common_.erase(common_.begin());
  }
  while (other_.size() > other_cap_) {
    deallocate(other_.front().data, other_.front().size);
    other_.erase(other_.begin());
  }
  common_.reserve(common_cap_);
  other_.reserve(other_cap_);
}

void BufferPool::trim() noexcept {
  for (char* p : common_) deallocate(p, kCommonSize);
  common_.clear();
  for (const Other& o : other_) deallocate(o.data, o.size);
  other_.clear();
}

} // namespace balancerd::net
