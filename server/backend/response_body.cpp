#include "server/backend/response_body.hpp"

#include <algorithm>

namespace balancerd::backend {

void ResponseBody::reset(BodyFraming framing, std::uint64_t content_length) noexcept {
  framing_ = framing;
  remaining_ = framing == BodyFraming::Length ? content_length : 0;
  delivered_ = 0;
  failed_ = false;
  done_ = framing == BodyFraming::None || (framing == BodyFraming::Length && content_length == 0);
  if (framing == BodyFraming::Chunked) chunked_.reset(0);
}

ResponseBody::Step ResponseBody::step(std::span<const char> in) noexcept {
  if (failed_) return {Status::Error, 0, {}};
  if (done_) return {Status::Done, 0, {}};
  switch (framing_) {
  case BodyFraming::None:
    return {Status::Done, 0, {}};
  case BodyFraming::Length: {
    if (in.empty()) return {Status::NeedMore, 0, {}};
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
    remaining_ -= n;
    delivered_ += n;
    if (remaining_ == 0) done_ = true;
    return {Status::Data, n, in.first(n)};
  }
  case BodyFraming::UntilClose:
    if (in.empty()) return {Status::NeedMore, 0, {}};
    delivered_ += in.size();
    return {Status::Data, in.size(), in};
  case BodyFraming::Chunked: {
    auto s = chunked_.step(in);
    switch (s.status) {
    case http::ChunkedDecoder::Status::NeedMore:
      return {Status::NeedMore, s.consumed, {}};
    case http::ChunkedDecoder::Status::Data:
      delivered_ += s.data.size();
      return {Status::Data, s.consumed, s.data};
    case http::ChunkedDecoder::Status::Done:
      done_ = true;
      return {Status::Done, s.consumed, {}};
    case http::ChunkedDecoder::Status::Error:
      failed_ = true;
      return {Status::Error, s.consumed, {}};
    }
    break;
  }
  }
  return {Status::Error, 0, {}};
}

ResponseBody::Status ResponseBody::finish() noexcept {
  if (done_) return Status::Done;
  if (!failed_ && framing_ == BodyFraming::UntilClose) {
    done_ = true;
    return Status::Done;
  }
  failed_ = true;
  return Status::Error;
}

} // namespace balancerd::backend
