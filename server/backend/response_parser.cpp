#include "server/backend/response_parser.hpp"

#include <bit>
#include <charconv>
#include <cstring>

#include "server/backend/response_field.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace balancerd::backend {
namespace {

constexpr std::string_view kErrorReading = "Error reading from remote server";
constexpr std::string_view kCorruptStatus = "Corrupt status line returned by remote server: ";

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}

// "HTTP/#.# ###" at the start of the line (Apache's check; anything may follow).
bool looks_like_status_line(std::string_view ln) noexcept {
  return ln.size() >= 12 && ln.starts_with("HTTP/") && is_digit(ln[5]) && ln[6] == '.' && is_digit(ln[7]) &&
         ln[8] == ' ' && is_digit(ln[9]) && is_digit(ln[10]) && is_digit(ln[11]);
}

std::string_view trim(std::string_view v) noexcept {
  const char* b = v.data();
  const char* e = b + v.size();
  while (b != e && is_blank(*b)) ++b;
  while (e != b && (is_blank(e[-1]) || e[-1] == '\r')) --e;
  return {b, static_cast<std::size_t>(e - b)};
}

// The last transfer coding of a Transfer-Encoding value is "chunked".
bool ends_with_chunked(std::string_view v) noexcept {
  auto comma = v.rfind(',');
  if (comma != std::string_view::npos) v.remove_prefix(comma + 1);
  v = trim(v);
  auto semi = v.find(';');
  if (semi != std::string_view::npos) v = trim(v.substr(0, semi));
  return http::iequals(v, "chunked");
}

// The first '\n' in [p, end) (null if none) and the first ':' before it (null if none). 16 bytes
// at a time where SSE2 is there: a field line is ~25 bytes, one or two steps instead of two memchr
// calls (line end, then colon) with their call and set-up cost.
inline const char* scan_line(const char* p, const char* end, const char*& colon) noexcept {
  colon = nullptr;
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i co = _mm_set1_epi8(':');
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const auto m_lf = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)));
    auto m_co = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, co)));
    if (m_lf) {
      m_co &= (m_lf & (0u - m_lf)) - 1; // colons before the line feed only
      if (!colon && m_co) colon = p + std::countr_zero(m_co);
      return p + std::countr_zero(m_lf);
    }
    if (!colon && m_co) colon = p + std::countr_zero(m_co);
    p += 16;
  }
#endif
  for (; p != end; ++p) {
    if (*p == '\n') return p;
    if (*p == ':' && !colon) colon = p;
  }
  return nullptr;
}

bool has_token(std::span<const std::string_view> tokens, std::string_view t) noexcept {
  for (auto x : tokens)
    if (http::iequals(x, t)) return true;
  return false;
}

} // namespace

std::vector<ResponseParser::FieldPos>& ResponseParser::scratch_positions() noexcept {
  thread_local std::vector<FieldPos> scratch;
  return scratch;
}

const http::Header* BackendResponseHead::find(std::string_view name) const noexcept {
  for (const auto& f : fields)
    if (http::iequals(f.name, name)) return &f;
  return nullptr;
}

inline void ResponseParser::add_field(std::string_view ln, std::size_t off, std::size_t colon) {
  const char* const b = ln.data();
  const char* v = b + colon + 1;
  const char* e = b + ln.size();
  while (v != e && is_blank(*v)) ++v;
  while (e != v && (is_blank(e[-1]) || e[-1] == '\r')) --e;
  const auto o = static_cast<std::uint32_t>(off);
  positions().push_back({o, o + static_cast<std::uint32_t>(colon), o + static_cast<std::uint32_t>(v - b),
                         o + static_cast<std::uint32_t>(e - b), o + static_cast<std::uint32_t>(ln.size()),
                         static_cast<std::uint32_t>(ln.size()), classify_response_field(ln.substr(0, colon)),
                         false});
  fold_ok_ = true;
}

void ResponseParser::reset(const ParserOptions& opt) {
  opt_ = opt;
  state_ = State::StatusLine;
  skipped_empty_ = false;
  start_head();
}

void ResponseParser::start_head() noexcept {
  text_.clear();
  line_start_ = 0;
  field_pos_.clear();
  positions_ = &field_pos_;
  status_off_ = status_len_ = 0;
  fold_ok_ = false;
  body_starts_ = false;
  content_typed_ = false;
  head_.status = 0;
  head_.major = head_.minor = 1;
  head_.http09 = false;
  head_.status_line = {};
  head_.reason = {};
  head_.reason_valid = true;
  head_.fields.clear();
  error_ = ResponseError::None;
  if (rare_used_) {
    prefix_.clear();
    joined_.clear();
    folds_.clear();
    reason_.clear();
    rare_used_ = false;
  }
  framing_ = BodyFraming::UntilClose;
  content_length_ = 0;
  body_prefix_ = {};
  keep_alive_ = false;
  te_and_cl_ = false;
  conn_tokens_.clear();
}

ResponseParser::Result ResponseParser::fail(ResponseError e, std::string_view line) {
  state_ = State::Failed;
  error_ = e;
  rare_used_ = true;
  reason_.clear();
  switch (e) {
  case ResponseError::CorruptStatusLine:
    reason_.append(kCorruptStatus).append(line);
    break;
  case ResponseError::NoResponse:
    reason_.append(kErrorReading);
    break;
  default: // answered with a plain 502 Bad Gateway page (no reason), as a bad header
    break;
  }
  return Result::Error;
}

void ResponseParser::take_http09(std::string_view first_line) {
  // HTTP/0.9: no head; the line (without its end) and everything after it is body.
  head_.http09 = true;
  rare_used_ = true;
  prefix_.assign(first_line);
  head_.status = 200;
  head_.status_line = "200 OK";
  head_.reason = "OK";
  framing_ = BodyFraming::UntilClose;
  keep_alive_ = false;
  body_prefix_ = std::span<const char>(prefix_.data(), prefix_.size());
  state_ = State::Done;
}

ResponseParser::Result ResponseParser::parse(std::span<const char> in, std::size_t& consumed) {
  consumed = 0;
  if (state_ == State::Failed) return Result::Error;
  if (state_ == State::Done) {
    // The previous call returned a head (an Interim one, or a Final the caller parses past): start over.
    state_ = State::StatusLine;
    skipped_empty_ = false;
    start_head();
  }
  if (in.empty()) return Result::NeedMore;
  const char* const data = in.data();
  const std::size_t size = in.size();
  std::size_t pos = 0;
  if (text_.empty()) {
    // A head starting in this call: its positions go to the thread's scratch list until it spans
    // calls (nothing of it is kept yet, so no position of it is in the parser's own list).
    positions_ = &scratch_positions();
    positions_->clear();
  } else {
    positions_ = &field_pos_;
  }
  if (line_start_ < text_.size()) {
    // A line begun in an earlier call: complete it in text_ and take it from there.
    const char* nl = static_cast<const char*>(std::memchr(data, '\n', size));
    if (!nl) {
      text_.append(data, size);
      consumed = size;
      return long_partial_line();
    }
    pos = static_cast<std::size_t>(nl - data) + 1;
    text_.append(data, pos);
    consumed = pos;
    std::string_view ln(text_.data() + line_start_, text_.size() - 1 - line_start_);
    if (!ln.empty() && ln.back() == '\r') ln.remove_suffix(1);
    const std::size_t off = line_start_;
    line_start_ = text_.size();
    Result r = on_line(ln, off);
    if (r != Result::NeedMore) {
      head_base_ = text_.data();
      return after_line(r);
    }
  }
  // The rest is scanned where it lies; its bytes join text_ in one append when the scan stops, so
  // data[i] will be text_[base + i] (base 0 and no append at all when the whole head is here).
  const std::size_t seg = pos;
  const std::size_t base = text_.size() - pos;
  const char* const stop = data + size;
  while (pos < size) {
    const char* colon;
    const char* nl = scan_line(data + pos, stop, colon);
    if (!nl) break;
    const std::size_t end = static_cast<std::size_t>(nl - data) + 1; // past the LF
    std::string_view ln(data + pos, end - 1 - pos);
    if (!ln.empty() && ln.back() == '\r') ln.remove_suffix(1);
    Result r;
    if (state_ == State::Fields && colon && !ln.empty() && !(fold_ok_ && is_blank(ln.front())) &&
        ln.size() < opt_.field_size) {
      // The common field line, taken here without the checks of the general path.
      add_field(ln, base + pos, static_cast<std::size_t>(colon - ln.data()));
      r = Result::NeedMore;
    } else {
      r = on_line(ln, base + pos);
    }
    pos = end;
    if (r != Result::NeedMore) {
      if (base == 0) {
        // The head arrived whole: its views point into the caller's bytes (no copy to touch).
        head_base_ = data;
      } else {
        text_.append(data + seg, pos - seg);
        head_base_ = text_.data();
      }
      line_start_ = text_.size();
      consumed = pos;
      return after_line(r);
    }
  }
  text_.append(data + seg, size - seg);
  line_start_ = base + pos;
  consumed = size;
  if (positions_ != &field_pos_) {
    // The head goes on in a later call, when another parser may have used the scratch list.
    field_pos_.assign(positions_->begin(), positions_->end());
    positions_ = &field_pos_;
  }
  return long_partial_line();
}

// Bound a line that has not ended yet (a status line may be as long as the limit; a field line one
// byte less, but the CR may still come, so allow it here and check the complete line).
ResponseParser::Result ResponseParser::long_partial_line() {
  if (text_.size() - line_start_ <= opt_.field_size) return Result::NeedMore;
  std::string_view ln(text_.data() + line_start_, text_.size() - line_start_);
  if (state_ == State::StatusLine) {
    if (looks_like_status_line(ln))
      return fail(ResponseError::CorruptStatusLine, ln.substr(0, opt_.field_size - 1));
    // An HTTP/0.9 response with a very long first line: what was read is body.
    take_http09(ln);
    return Result::Final;
  }
  return fail(ResponseError::HeaderTooLong);
}

ResponseParser::Result ResponseParser::after_line(Result r) {
  // Final from a field line: the empty line ended the head (an HTTP/0.9 answer is Done already).
  if (r == Result::Final && state_ == State::Fields) return finish_head();
  return r;
}

ResponseParser::Result ResponseParser::on_line(std::string_view ln, std::size_t off) {
  if (state_ == State::StatusLine) return on_status_line(ln, off);
  return on_field_line(ln, off);
}

ResponseParser::Result ResponseParser::on_status_line(std::string_view ln, std::size_t off) {
  if (ln.empty()) {
    if (skipped_empty_) return fail(ResponseError::NoResponse);
    skipped_empty_ = true; // one stray CRLF (left over from a previous response) is tolerated
    return Result::NeedMore;
  }
  // apache2's line reader refuses a line holding a NUL byte: "Error reading from remote server".
  if (std::memchr(ln.data(), '\0', ln.size())) return fail(ResponseError::NoResponse);
  if (!looks_like_status_line(ln)) {
    take_http09(ln);
    return Result::Final;
  }
  if (ln[5] != '1' || ln.size() + 1 >= opt_.field_size)
    return fail(ResponseError::CorruptStatusLine, ln.substr(0, std::min(ln.size(), opt_.field_size - 1)));
  head_.major = 1;
  head_.minor = static_cast<unsigned char>(ln[7] - '0');
  head_.status = (ln[9] - '0') * 100 + (ln[10] - '0') * 10 + (ln[11] - '0');
  status_off_ = static_cast<std::uint32_t>(off + 9);
  status_len_ = static_cast<std::uint32_t>(ln.size() - 9);
  if (status_len_ == 3) {
    // Apache keeps the space the status line requires.
    std::memcpy(status3_, ln.data() + 9, 3);
    status3_[3] = ' ';
  }
  state_ = State::Fields;
  return Result::NeedMore;
}

ResponseParser::Result ResponseParser::on_field_line(std::string_view ln, std::size_t off) {
  if (ln.empty()) return Result::Final;
  if (fold_ok_ && is_blank(ln.front())) {
    // A folded line continues the last field as sent (Apache keeps its leading blanks).
    auto& pos = positions();
    auto& last = pos.back();
    if (last.len + ln.size() >= opt_.field_size) return fail(ResponseError::HeaderTooLong);
    last.len += static_cast<std::uint32_t>(ln.size());
    last.folded = true;
    rare_used_ = true;
    folds_.push_back({static_cast<std::uint32_t>(pos.size() - 1), static_cast<std::uint32_t>(off),
                      static_cast<std::uint32_t>(off + ln.size())});
    return Result::NeedMore;
  }
  if (ln.size() >= opt_.field_size) return fail(ResponseError::HeaderTooLong);
  const char* colon = static_cast<const char*>(std::memchr(ln.data(), ':', ln.size()));
  if (!colon) {
    switch (opt_.bad_header) {
    case directives::ProxyBadHeader::IsError:
      return fail(ResponseError::BadHeader);
    case directives::ProxyBadHeader::Ignore:
      fold_ok_ = false; // dropped; a folded line after it must not join the field before it
      return Result::NeedMore;
    case directives::ProxyBadHeader::StartBody:
      body_starts_ = true;
      return Result::Final;
    }
  }
  add_field(ln, off, static_cast<std::size_t>(colon - ln.data()));
  return Result::NeedMore;
}

// The value of a field with continuation lines: its own line's rest and each continuation line as
// sent, then trimmed as a whole (a first line ending in blanks joins the next with them).
std::string_view ResponseParser::joined_value(std::size_t field) {
  const auto& fp = positions()[field];
  const std::size_t begin = joined_.size();
  joined_.append(head_base_ + fp.colon + 1, fp.end - fp.colon - 1);
  for (const auto& fold : folds_)
    if (fold.field == field) joined_.append(head_base_ + fold.begin, fold.end - fold.begin);
  return trim(std::string_view(joined_).substr(begin));
}

ResponseParser::Result ResponseParser::finish_head() {
  const char* const all = head_base_;
  if (status_len_ == 3)
    head_.status_line = std::string_view(status3_, 4);
  else
    head_.status_line = std::string_view(all + status_off_, status_len_);
  std::string_view sl = head_.status_line;
  head_.reason_valid = sl.size() == 3 || is_blank(sl[3]);
  head_.reason = head_.reason_valid && sl.size() > 4 ? sl.substr(4) : std::string_view{};
  head_.fields.clear();
  const std::vector<FieldPos>& field_pos = positions();
  head_.fields.reserve(field_pos.size());
  if (rare_used_ && !folds_.empty()) {
    // joined_ is sized first: the views into it must not move as it fills.
    std::size_t total = 0;
    for (const auto& fp : field_pos)
      if (fp.folded) total += fp.len;
    joined_.clear();
    joined_.reserve(total);
  }

  // The fields, framing and reuse, in one pass.
  const bool interim = head_.status >= 100 && head_.status < 200 && head_.status != 101;
  bool chunked = false, has_te = false, has_cl = false, cl_conflict = false;
  std::uint64_t cl = 0;
  for (std::size_t i = 0; i < field_pos.size(); ++i) {
    const auto& fp = field_pos[i];
    const std::string_view name(all + fp.name, fp.colon - fp.name);
    const std::string_view value =
        fp.folded ? joined_value(i) : std::string_view(all + fp.value, fp.value_end - fp.value);
    head_.fields.push_back({name, value});
    if (fp.kind == ResponseField::Other) continue;
    switch (fp.kind) {
    case ResponseField::TransferEncoding:
      has_te = true;
      chunked = ends_with_chunked(value);
      break;
    case ResponseField::ContentLength: {
      std::uint64_t v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (has_cl) {
        // Apache reads the first Content-Length (apr_table_get); the connection is not reused, since
        // the backend's framing is in doubt.
        cl_conflict = cl_conflict || ec != std::errc() || v != cl;
        break;
      }
      if (ec != std::errc() || p != value.data() + value.size() || value.empty())
        return fail(ResponseError::BadContentLength);
      has_cl = true;
      cl = v;
      break;
    }
    case ResponseField::Connection: {
      std::string_view v = value;
      while (!v.empty()) {
        auto comma = v.find(',');
        auto tok = trim(v.substr(0, comma));
        if (!tok.empty()) conn_tokens_.push_back(tok);
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
      }
      break;
    }
    case ResponseField::ContentType:
      content_typed_ = true;
      break;
    default:
      break;
    }
  }
  bool framed = true;
  if (interim || opt_.head_request || head_.status == 204 || head_.status == 304 || head_.status == 101) {
    framing_ = BodyFraming::None;
  } else if (has_te) {
    framing_ = chunked ? BodyFraming::Chunked : BodyFraming::UntilClose;
    framed = chunked;
  } else if (has_cl) {
    framing_ = BodyFraming::Length;
    content_length_ = cl;
  } else {
    framing_ = BodyFraming::UntilClose;
    framed = false;
  }
  if (body_starts_) {
    // ProxyBadHeader StartBody: what follows the bad line is body, read until close.
    if (framing_ != BodyFraming::None) framing_ = BodyFraming::UntilClose;
    framed = false;
  }
  te_and_cl_ = has_te && has_cl;
  const bool persistent =
      head_.minor >= 1 ? !has_token(conn_tokens_, "close") : has_token(conn_tokens_, "keep-alive");
  keep_alive_ = persistent && framed && !te_and_cl_ && !cl_conflict && head_.status != 101;
  state_ = State::Done;
  return interim ? Result::Interim : Result::Final;
}

ResponseParser::Result ResponseParser::finish() {
  switch (state_) {
  case State::StatusLine:
    return fail(ResponseError::NoResponse);
  case State::Fields:
    return fail(ResponseError::Truncated);
  case State::Done:
    return Result::Final;
  case State::Failed:
    break;
  }
  return Result::Error;
}

} // namespace balancerd::backend
