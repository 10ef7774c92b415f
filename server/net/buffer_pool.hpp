#pragma once
// A per-io-thread LIFO pool of I/O buffers, lent only while data moves. A connection that kept its own
// buffer for its whole life left hundreds of cold buffers spread over the cache at 512 connections;
// borrowing the buffer when a read is due and giving it back as soon as its bytes are consumed keeps a
// thread's working set to the few buffers in flight, and LIFO hands out the one most recently written,
// still hot in the cache (nginx and HAProxy do the same).
//
// Buffers of the common size (8 KB) have their own free list; other sizes (ProxyIOBufferSize,
// ReceiveBufferSize...) share a short list matched by exact size. Each list keeps at most a capped
// number of idle buffers; beyond it a returned buffer is freed. A handle gives its buffer back, on
// destruction, to the pool of the thread it is destroyed on (a connection lives on one thread; a
// buffer freed after its thread's pool is gone, at thread exit, is simply deleted).
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace balancerd::net {

class BufferPool;

// Owns one borrowed buffer; moving transfers it. An empty handle owns nothing.
class IoBuffer {
public:
  IoBuffer() noexcept = default;
  IoBuffer(IoBuffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  IoBuffer& operator=(IoBuffer&& o) noexcept {
    if (this != &o) {
      reset();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  IoBuffer(const IoBuffer&) = delete;
  IoBuffer& operator=(const IoBuffer&) = delete;
  ~IoBuffer() { reset(); }

  char* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  std::span<char> span() const noexcept { return {data_, size_}; }
  explicit operator bool() const noexcept { return data_ != nullptr; }

  // Gives the buffer back now (to this thread's pool); the handle is empty afterwards.
  void reset() noexcept;

private:
  friend class BufferPool;
  IoBuffer(char* d, std::size_t n) noexcept : data_(d), size_(n) {}
  char* data_ = nullptr;
  std::size_t size_ = 0;
};

class BufferPool {
public:
  static constexpr std::size_t kCommonSize = 8192;
  static constexpr std::size_t kDefaultCommonCap = 128; // idle 8 KB buffers kept (1 MB)
  static constexpr std::size_t kDefaultOtherCap = 16;   // idle buffers of other sizes kept

  // The calling thread's pool.
  static BufferPool& local();

  // A buffer of exactly `size` bytes (> 0): the most recently returned one of that size if any is
  // idle, else a new one. Its contents are unspecified.
  IoBuffer borrow(std::size_t size);

  std::size_t idle_common() const noexcept { return common_.size(); }
  std::size_t idle_other() const noexcept { return other_.size(); }
  // Caps on idle buffers (tests, tuning); buffers over a lowered cap are freed at once.
  void set_caps(std::size_t common, std::size_t other);
  // Frees every idle buffer.
  void trim() noexcept;

  explicit BufferPool(std::size_t common_cap = kDefaultCommonCap, std::size_t other_cap = kDefaultOtherCap);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

private:
  friend class IoBuffer;
  struct Other {
    char* data;
    std::size_t size;
  };
  void give_back(char* data, std::size_t size) noexcept;
  static void give_back_local(char* data, std::size_t size) noexcept;

  std::vector<char*> common_; // LIFO: back() is the most recently returned
  std::vector<Other> other_;  // LIFO as well, matched by size
  std::size_t common_cap_ = kDefaultCommonCap;
  std::size_t other_cap_ = kDefaultOtherCap;
};

// Shorthand for BufferPool::local().borrow(size).
inline IoBuffer borrow_io_buffer(std::size_t size) {
  return BufferPool::local().borrow(size);
}

} // namespace balancerd::net
