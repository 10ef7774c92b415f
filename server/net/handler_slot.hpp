#pragma once
// Memory for one asynchronous operation kept inside the object that starts it (Asio's "associated
// allocator"). Asio takes an operation's memory from a per-thread cache of two blocks and otherwise
// from the heap (an aligned new): a server with hundreds of reads pending at once misses that cache on
// almost every read (callgrind, 512 lock-step connections: one memalign and one free per request for
// the client's read). A connection has at most one such read pending, so a slot in the connection
// holds it; a second operation while the slot is busy, or one too big for it, takes the heap as before.
//
// Use: socket-op(..., bind_slot(slot_, handler)). No Asio header is needed: Asio finds the allocator
// through the handler's nested allocator_type and get_allocator().
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace balancerd::net {

class HandlerSlot {
public:
  static constexpr std::size_t kSize = 256;

  HandlerSlot() = default;
  HandlerSlot(const HandlerSlot&) = delete;
  HandlerSlot& operator=(const HandlerSlot&) = delete;

  void* allocate(std::size_t bytes, std::size_t align) {
    if (!busy_ && bytes <= kSize && align <= alignof(std::max_align_t)) {
      busy_ = true;
      return storage_;
    }
    return ::operator new (bytes, std::align_val_t{align});
  }
  void deallocate(void* p, std::size_t align) noexcept {
    if (p == storage_) {
      busy_ = false;
      return;
    }
    ::operator delete (p, std::align_val_t{align});
  }
  bool busy() const noexcept { return busy_; }

private:
  alignas(std::max_align_t) unsigned char storage_[kSize];
  bool busy_ = false;
};

// A standard allocator over a slot (the slot must outlive every operation allocated from it).
template <class T> class SlotAllocator {
public:
  using value_type = T;
  explicit SlotAllocator(HandlerSlot* slot) noexcept : slot_(slot) {}
  template <class U> SlotAllocator(const SlotAllocator<U>& o) noexcept : slot_(o.slot()) {}

  T* allocate(std::size_t n) { return static_cast<T*>(slot_->allocate(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t) noexcept { slot_->deallocate(p, alignof(T)); }
  HandlerSlot* slot() const noexcept { return slot_; }
  template <class U> bool operator==(const SlotAllocator<U>& o) const noexcept { return slot_ == o.slot(); }

private:
  HandlerSlot* slot_;
};

// A completion handler whose operation's memory comes from `slot`.
template <class Handler> class SlotHandler {
public:
  using allocator_type = SlotAllocator<void>;
  SlotHandler(HandlerSlot& slot, Handler h) : slot_(&slot), handler_(std::move(h)) {}
  allocator_type get_allocator() const noexcept { return allocator_type(slot_); }
  template <class... Args> void operator()(Args&&... args) { handler_(std::forward<Args>(args)...); }

private:
  HandlerSlot* slot_;
  Handler handler_;
};

template <class Handler> SlotHandler<std::decay_t<Handler>> bind_slot(HandlerSlot& slot, Handler&& h) {
  return SlotHandler<std::decay_t<Handler>>(slot, std::forward<Handler>(h));
}

} // namespace balancerd::net
