#include "server/backend/response_parser.hpp"

#include <charconv>
#include <cstring>

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
  while (!v.empty() && is_blank(v.front())) v.remove_prefix(1);
  while (!v.empty() && (is_blank(v.back()) || v.back() == '\r')) v.remove_suffix(1);
  return v;
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

bool has_token(std::span<const std::string_view> tokens, std::string_view t) noexcept {
  for (auto x : tokens)
    if (http::iequals(x, t)) return true;
  return false;
}

} // namespace

const http::Header* BackendResponseHead::find(std::string_view name) const noexcept {
  for (const auto& f : fields)
    if (http::iequals(f.name, name)) return &f;
  return nullptr;
}

void ResponseParser::reset(const ParserOptions& opt) {
  opt_ = opt;
  state_ = State::StatusLine;
  skipped_empty_ = false;
  partial_.clear();
  start_head();
}

void ResponseParser::start_head() noexcept {
  text_.clear();
  prefix_.clear();
  field_pos_.clear();
  status_len_ = 0;
  body_starts_ = false;
  head_.status = 0;
  head_.major = head_.minor = 1;
  head_.http09 = false;
  head_.status_line = {};
  head_.reason = {};
  head_.reason_valid = true;
  head_.fields.clear();
  error_ = ResponseError::None;
  reason_.clear();
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

ResponseParser::Result ResponseParser::parse(std::span<const char> in, std::size_t& consumed) {
  consumed = 0;
  if (state_ == State::Failed) return Result::Error;
  if (state_ == State::Done) {
    // The previous call returned a head (an Interim one, or a Final the caller parses past): start over.
    state_ = State::StatusLine;
    skipped_empty_ = false;
    start_head();
  }
  std::size_t pos = 0;
  while (pos < in.size()) {
    const char* nl = static_cast<const char*>(std::memchr(in.data() + pos, '\n', in.size() - pos));
    if (!nl) {
      partial_.append(in.data() + pos, in.size() - pos);
      consumed = in.size();
      // Bound a line that has not ended yet (a status line may be as long as the limit; a field line
      // one byte less, but the CR may still come, so allow it here and check the complete line).
      if (partial_.size() > opt_.field_size) {
        if (state_ == State::StatusLine) {
          std::string_view ln(partial_);
          if (looks_like_status_line(ln))
            return fail(ResponseError::CorruptStatusLine, ln.substr(0, opt_.field_size - 1));
          // An HTTP/0.9 response with a very long first line: what was read is body.
          head_.http09 = true;
          prefix_.assign(partial_);
          partial_.clear();
          head_.status = 200;
          head_.status_line = "200 OK";
          head_.reason = "OK";
          framing_ = BodyFraming::UntilClose;
          body_prefix_ = std::span<const char>(prefix_.data(), prefix_.size());
          state_ = State::Done;
          return Result::Final;
        }
        return fail(ResponseError::HeaderTooLong);
      }
      return Result::NeedMore;
    }
    std::size_t end = static_cast<std::size_t>(nl - in.data()) + 1; // past the LF
    std::string_view ln;
    if (partial_.empty()) {
      ln = std::string_view(in.data() + pos, end - 1 - pos);
    } else {
      partial_.append(in.data() + pos, end - 1 - pos);
      ln = partial_;
    }
    if (!ln.empty() && ln.back() == '\r') ln.remove_suffix(1);
    pos = end;
    consumed = end;
    Result r = on_line(ln);
    partial_.clear();
    if (r != Result::NeedMore) return r;
  }
  consumed = in.size();
  return Result::NeedMore;
}

ResponseParser::Result ResponseParser::on_line(std::string_view ln) {
  if (state_ == State::StatusLine) return on_status_line(ln);
  return on_field_line(ln);
}

ResponseParser::Result ResponseParser::on_status_line(std::string_view ln) {
  if (ln.empty()) {
    if (skipped_empty_) return fail(ResponseError::NoResponse);
    skipped_empty_ = true; // one stray CRLF (left over from a previous response) is tolerated
    return Result::NeedMore;
  }
  // apache2's line reader refuses a line holding a NUL byte: "Error reading from remote server".
  if (ln.find('\0') != std::string_view::npos) return fail(ResponseError::NoResponse);
  if (!looks_like_status_line(ln)) {
    // HTTP/0.9: no head; the line (without its end) and everything after it is body.
    head_.http09 = true;
    prefix_.assign(ln);
    head_.status = 200;
    head_.status_line = "200 OK";
    head_.reason = "OK";
    framing_ = BodyFraming::UntilClose;
    keep_alive_ = false;
    body_prefix_ = std::span<const char>(prefix_.data(), prefix_.size());
    state_ = State::Done;
    return Result::Final;
  }
  if (ln[5] != '1' || ln.size() + 1 >= opt_.field_size)
    return fail(ResponseError::CorruptStatusLine, ln.substr(0, std::min(ln.size(), opt_.field_size - 1)));
  head_.major = 1;
  head_.minor = static_cast<unsigned char>(ln[7] - '0');
  head_.status = (ln[9] - '0') * 100 + (ln[10] - '0') * 10 + (ln[11] - '0');
  text_.assign(ln.substr(9));
  if (text_.size() == 3) text_.push_back(' '); // Apache keeps the space the status line requires
  status_len_ = static_cast<std::uint32_t>(text_.size());
  state_ = State::Fields;
  return Result::NeedMore;
}

ResponseParser::Result ResponseParser::on_field_line(std::string_view ln) {
  if (ln.empty()) return finish_head();
  if (is_blank(ln.front()) && !field_pos_.empty() && field_pos_.back().second == text_.size()) {
    // A folded line continues the last field as sent (Apache keeps its leading blanks).
    auto begin = field_pos_.back().first;
    if (text_.size() - begin + ln.size() >= opt_.field_size) return fail(ResponseError::HeaderTooLong);
    text_.append(ln);
    field_pos_.back().second = static_cast<std::uint32_t>(text_.size());
    return Result::NeedMore;
  }
  if (ln.size() >= opt_.field_size) return fail(ResponseError::HeaderTooLong);
  if (ln.find(':') == std::string_view::npos) {
    switch (opt_.bad_header) {
    case directives::ProxyBadHeader::IsError:
      return fail(ResponseError::BadHeader);
    case directives::ProxyBadHeader::Ignore:
      // Dropped; a folded line after it must not join the field before it.
      text_.push_back('\0');
      return Result::NeedMore;
    case directives::ProxyBadHeader::StartBody:
      body_starts_ = true;
      return finish_head();
    }
  }
  auto begin = static_cast<std::uint32_t>(text_.size());
  text_.append(ln);
  field_pos_.emplace_back(begin, static_cast<std::uint32_t>(text_.size()));
  return Result::NeedMore;
}

ResponseParser::Result ResponseParser::finish_head() {
  std::string_view all(text_);
  head_.status_line = all.substr(0, status_len_);
  std::string_view sl = head_.status_line;
  head_.reason_valid = sl.size() == 3 || is_blank(sl[3]);
  head_.reason = head_.reason_valid && sl.size() > 4 ? sl.substr(4) : std::string_view{};
  head_.fields.clear();
  for (auto [b, e] : field_pos_) {
    std::string_view ln = all.substr(b, e - b);
    auto colon = ln.find(':');
    head_.fields.push_back({ln.substr(0, colon), trim(ln.substr(colon + 1))});
  }

  // Framing and reuse.
  const bool interim = head_.status >= 100 && head_.status < 200 && head_.status != 101;
  bool chunked = false, has_te = false, has_cl = false, cl_conflict = false;
  std::uint64_t cl = 0;
  for (const auto& f : head_.fields) {
    if (http::iequals(f.name, "Transfer-Encoding")) {
      has_te = true;
      chunked = ends_with_chunked(f.value);
    } else if (http::iequals(f.name, "Content-Length")) {
      std::uint64_t v = 0;
      auto [p, ec] = std::from_chars(f.value.data(), f.value.data() + f.value.size(), v);
      if (has_cl) {
        // Apache reads the first Content-Length (apr_table_get); the connection is not reused, since
        // the backend's framing is in doubt.
        cl_conflict = cl_conflict || ec != std::errc() || v != cl;
        continue;
      }
      if (ec != std::errc() || p != f.value.data() + f.value.size() || f.value.empty())
        return fail(ResponseError::BadContentLength);
      has_cl = true;
      cl = v;
    } else if (http::iequals(f.name, "Connection")) {
      std::string_view v = f.value;
      while (!v.empty()) {
        auto comma = v.find(',');
        auto tok = trim(v.substr(0, comma));
        if (!tok.empty()) conn_tokens_.push_back(tok);
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
      }
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
