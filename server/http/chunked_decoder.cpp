#include "server/http/chunked_decoder.hpp"

#include <algorithm>

#include "parser/hex_digit.hpp"

namespace balancerd::http {
namespace {

// Bounds on the size line (with extensions) and trailer section, so a client cannot make us scan forever.
constexpr std::size_t kMaxLine = 8192;
constexpr std::size_t kMaxTrailers = 100;

} // namespace

void ChunkedDecoder::reset(std::uint64_t limit) noexcept {
  *this = ChunkedDecoder(limit);
}

ChunkedDecoder::Step ChunkedDecoder::fail(int status, std::size_t consumed) noexcept {
  error_ = status;
  state_ = State::Done;
  return {Status::Error, consumed, {}};
}

ChunkedDecoder::Step ChunkedDecoder::step(std::span<const char> in) noexcept {
  if (error_) return {Status::Error, 0, {}};
  std::size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    switch (state_) {
    case State::Size: {
      int v = parser::hex_digit_value(c);
      if (v >= 0) {
        if (size_ > (UINT64_C(0x7fffffffffffffff) >> 4)) return fail(413, i);
        size_ = size_ * 16 + static_cast<unsigned>(v);
        ++digits_;
        ++i;
        break;
      }
      if (digits_ == 0) return fail(400, i);
      state_ = State::SizeBlank;
      break;
    }
    case State::SizeBlank:
      if (c == ' ' || c == '\t') {
        ++i;
      } else if (c == ';') {
        state_ = State::Ext;
        ++i;
      } else if (c == '\r') {
        state_ = State::SizeLf;
        ++i;
      } else {
        return fail(400, i);
      }
      break;
    case State::Ext:
      if (c == '\r') {
        state_ = State::SizeLf;
      } else if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
        return fail(400, i);
      }
      ++i;
      break;
    case State::SizeLf:
      if (c != '\n') return fail(400, i);
      ++i;
      if (limit_ && size_ > limit_ - std::min(limit_, total_)) return fail(413, i);
      line_ = 0;
      state_ = size_ == 0 ? State::Trailer : State::Data;
      continue;
    case State::Data: {
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size_, in.size() - i));
      size_ -= n;
      total_ += n;
      if (size_ == 0) state_ = State::DataCr;
      return {Status::Data, i + n, in.subspan(i, n)};
    }
    case State::DataCr:
      if (c != '\r') return fail(400, i);
      state_ = State::DataLf;
      ++i;
      break;
    case State::DataLf:
      if (c != '\n') return fail(400, i);
      state_ = State::Size;
      digits_ = 0;
      line_ = 0;
      ++i;
      continue;
    case State::Trailer:
      // A trailer section: lines up to an empty one. Fields are read and dropped, as Apache does.
      if (c == '\r' && line_ == 0) {
        state_ = State::EndLf;
      } else if (c == '\r') {
        state_ = State::TrailerLf;
      } else if (c == '\n' || c == '\0') {
        return fail(400, i);
      }
      ++i;
      break;
    case State::TrailerLf:
      if (c != '\n') return fail(400, i);
      if (++trailers_ > kMaxTrailers) return fail(400, i);
      state_ = State::Trailer;
      line_ = 0;
      ++i;
      continue;
    case State::EndLf:
      if (c != '\n') return fail(400, i);
      state_ = State::Done;
      return {Status::Done, i + 1, {}};
    case State::Done:
      return {Status::Done, i, {}};
    }
    // Bound the size line and each trailer line (line_ is reset when one ends).
    if (state_ == State::Size || state_ == State::SizeBlank || state_ == State::Ext ||
        (state_ == State::Trailer && c != '\n')) {
      if (++line_ > kMaxLine) return fail(400, i);
    }
  }
  if (state_ == State::Done) return {Status::Done, i, {}};
  return {Status::NeedMore, i, {}};
}

} // namespace balancerd::http
