#pragma once
// Incremental decoder for a chunked request body (RFC 9112 §7.1), answering bad framing as Apache does:
// 400 for a malformed size line or missing CRLF, 413 for a size that overflows or a body above
// LimitRequestBody. Zero-copy: data comes back as sub-spans of the input.
#include <cstddef>
#include <cstdint>
#include <span>

namespace balancerd::http {

class ChunkedDecoder {
public:
  enum class Status : unsigned char { NeedMore, Data, Done, Error };
  struct Step {
    Status status;
    std::size_t consumed;       // input bytes used by this step
    std::span<const char> data; // for Data: body bytes (inside the input)
  };

  // limit: LimitRequestBody (0 = unlimited).
  explicit ChunkedDecoder(std::uint64_t limit = 0) noexcept : limit_(limit) {}
  void reset(std::uint64_t limit) noexcept;

  // Decodes from the front of in; call again with the unconsumed rest until NeedMore, Done or Error.
  Step step(std::span<const char> in) noexcept;

  int error_status() const noexcept { return error_; }
  std::uint64_t total() const noexcept { return total_; }

private:
  enum class State : unsigned char {
    Size,
    SizeBlank,
    Ext,
    SizeLf,
    Data,
    DataCr,
    DataLf,
    Trailer,
    TrailerLf,
    EndLf,
    Done
  };
  Step fail(int status, std::size_t consumed) noexcept;

  State state_ = State::Size;
  std::uint64_t limit_ = 0;
  std::uint64_t size_ = 0; // current chunk size / bytes still to deliver
  std::uint64_t total_ = 0;
  std::size_t digits_ = 0;
  std::size_t line_ = 0; // length of the current size or trailer line
  std::size_t trailers_ = 0;
  int error_ = 0;
};

} // namespace balancerd::http
