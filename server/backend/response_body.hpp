#pragma once
// Decodes a backend response body by its framing (Content-Length, chunked with extensions and
// trailers, until close), zero-copy: data comes back as sub-spans of the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "server/backend/response_parser.hpp"
#include "server/http/chunked_decoder.hpp"

namespace balancerd::backend {

class ResponseBody {
public:
  enum class Status : unsigned char { NeedMore, Data, Done, Error };
  struct Step {
    Status status;
    std::size_t consumed;       // input bytes used by this step
    std::span<const char> data; // for Data: body bytes (inside the input)
  };

  void reset(BodyFraming framing, std::uint64_t content_length) noexcept;
  // Decodes from the front of in; call again with the rest until NeedMore, Done or Error. Bytes after
  // the body (Done) are not consumed: for a reusable connection they mean the backend misbehaved.
  Step step(std::span<const char> in) noexcept;
  // The backend closed: Done for UntilClose (or a body already complete), else Error (truncated).
  Status finish() noexcept;

  bool done() const noexcept { return done_; }
  BodyFraming framing() const noexcept { return framing_; }
  std::uint64_t delivered() const noexcept { return delivered_; } // body bytes handed out so far

private:
  BodyFraming framing_ = BodyFraming::None;
  std::uint64_t remaining_ = 0;
  std::uint64_t delivered_ = 0;
  bool done_ = true;
  bool failed_ = false;
  http::ChunkedDecoder chunked_;
};

} // namespace balancerd::backend
