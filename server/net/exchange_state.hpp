#pragma once
// Everything a connection needs only while a request is in flight: the read buffer, the parsed
// request, the response head and output buffer, the body decoder. Idle keep-alive connections hand
// it back to a per-thread pool, so they cost a few hundred bytes, and busy ones reuse warm buffers
// instead of allocating per request.
#include <cstddef>
#include <memory>
#include <string>

#include "server/http/chunked_decoder.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"

namespace balancerd::net {

// A byte buffer with a consumed front and a filled back (not buffer_pool.hpp's IoBuffer, a borrowed
// buffer handle: one name for two classes in one namespace would break the one-definition rule).
class ReadBuffer {
public:
  char* begin() noexcept { return data_.get() + head_; }
  std::size_t size() const noexcept { return tail_ - head_; }
  bool empty() const noexcept { return head_ == tail_; }
  char* space() noexcept { return data_.get() + tail_; }
  std::size_t space_size() const noexcept { return cap_ - tail_; }
  std::size_t capacity() const noexcept { return cap_; }
  void commit(std::size_t n) noexcept { tail_ += n; }
  void consume(std::size_t n) noexcept {
    head_ += n;
    if (head_ == tail_) head_ = tail_ = 0;
  }
  // Makes room for at least min_space more bytes: moves the data to the front, grows if needed.
  void reserve_space(std::size_t min_space);
  void clear() noexcept { head_ = tail_ = 0; }
  void release() noexcept {
    data_.reset();
    cap_ = head_ = tail_ = 0;
  }

private:
  std::unique_ptr<char[]> data_;
  std::size_t cap_ = 0, head_ = 0, tail_ = 0;
};

struct ExchangeState {
  ReadBuffer in;
  std::string out;
  http::Request request;
  http::ResponseHead head;
  http::ChunkedDecoder chunked;
};

// Per-thread free list (connections never change threads, so no lock).
std::unique_ptr<ExchangeState> acquire_exchange_state();
void release_exchange_state(std::unique_ptr<ExchangeState> state);

} // namespace balancerd::net
