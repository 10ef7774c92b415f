#include "server/hcheck/hc_response.hpp"

#include "directives/ci_string.hpp"

#include <algorithm>
#include <charconv>

namespace balancerd::hcheck {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

} // namespace

int HcResponseParser::parse_status_line(std::string_view line) {
  // HTTP/d.d SP ddd, then end or a space.
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || !is_digit(line[5]) || line[6] != '.' ||
      !is_digit(line[7]) || line[8] != ' ')
    return 0;
  if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) return 0;
  if (line.size() > 12 && line[12] != ' ') return 0;
  return (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
}

bool HcResponseParser::feed(std::string_view data) {
  if (done_) return true;
  if (!head_complete_) {
    const std::size_t old = head_.size();
    head_.append(data);
    // Search from a little before the old end so a terminator split across reads is found.
    std::size_t from = old >= 3 ? old - 3 : 0;
    std::size_t end = std::string::npos, skip = 0;
    for (std::size_t i = from; i < head_.size(); ++i) {
      if (head_[i] != '\n') continue;
      if (i + 1 < head_.size() && head_[i + 1] == '\n') {
        end = i + 1, skip = 1;
        break;
      }
      if (i + 2 < head_.size() && head_[i + 1] == '\r' && head_[i + 2] == '\n') {
        end = i + 1, skip = 2;
        break;
      }
    }
    if (end == std::string::npos) {
      if (head_.size() > kMaxHead) done_ = true;
      return done_;
    }
    const std::string rest = head_.substr(end + skip);
    head_.resize(end);
    parse_head(head_);
    head_complete_ = true;
    if (mode_ == BodyMode::None) {
      done_ = true;
      return true;
    }
    return feed_body(rest);
  }
  return feed_body(data);
}

void HcResponseParser::parse_head(std::string_view head) {
  std::size_t pos = 0;
  bool first = true;
  std::string_view te, cl;
  while (pos < head.size()) {
    std::size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) nl = head.size();
    std::string_view line = head.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    if (first) {
      status_line_ = std::string(line);
      status_ = parse_status_line(line);
      first = false;
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    headers_.emplace_back(std::string(name), std::string(value));
    if (directives::ci_equal(name, "Transfer-Encoding")) te = value;
    if (directives::ci_equal(name, "Content-Length")) cl = value;
  }
  if (!read_body_ || status_ == 0 || status_ == 204 || status_ == 304) {
    mode_ = BodyMode::None;
  } else if (!te.empty() && directives::ci_equal(te.substr(te.size() >= 7 ? te.size() - 7 : 0), "chunked")) {
    mode_ = BodyMode::Chunked;
  } else if (!cl.empty()) {
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), n);
    mode_ = (ec == std::errc() && p == cl.data() + cl.size()) ? BodyMode::Length : BodyMode::UntilClose;
    remaining_ = n;
    if (mode_ == BodyMode::Length && n == 0) mode_ = BodyMode::None;
  } else {
    mode_ = BodyMode::UntilClose;
  }
}

void HcResponseParser::keep(std::string_view data) {
  if (body_.size() < kMaxBody) body_.append(data.substr(0, kMaxBody - body_.size()));
}

bool HcResponseParser::feed_body(std::string_view data) {
  switch (mode_) {
  case BodyMode::None:
    done_ = true;
    break;
  case BodyMode::Length: {
    const std::size_t n = std::min(remaining_, data.size());
    keep(data.substr(0, n));
    remaining_ -= n;
    if (remaining_ == 0) done_ = true;
    break;
  }
  case BodyMode::UntilClose:
    keep(data);
    break;
  case BodyMode::Chunked:
    return feed_chunked(data);
  }
  return done_;
}

bool HcResponseParser::feed_chunked(std::string_view data) {
  std::size_t i = 0;
  while (i < data.size() && !done_) {
    switch (chunk_state_) {
    case ChunkState::Size:
    case ChunkState::DataCrlf:
    case ChunkState::Trailer: {
      const auto nl = data.find('\n', i);
      if (nl == std::string_view::npos) {
        line_.append(data.substr(i));
        if (line_.size() > 4096) done_ = true; // runaway framing: stop here
        return done_;
      }
      line_.append(data.substr(i, nl - i));
      i = nl + 1;
      std::string_view line = line_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (chunk_state_ == ChunkState::Size) {
        std::size_t n = 0;
        const auto semi = line.find(';');
        std::string_view digits = trim(line.substr(0, semi));
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n, 16);
        if (ec != std::errc() || digits.empty()) {
          done_ = true; // bad framing: evaluate what arrived
        } else if (n == 0) {
          chunk_state_ = ChunkState::Trailer;
        } else {
          remaining_ = n;
          chunk_state_ = ChunkState::Data;
        }
      } else if (chunk_state_ == ChunkState::DataCrlf) {
        chunk_state_ = ChunkState::Size;
      } else if (line.empty()) {
        done_ = true; // end of trailers
      }
      line_.clear();
      break;
    }
    case ChunkState::Data: {
      const std::size_t n = std::min(remaining_, data.size() - i);
      keep(data.substr(i, n));
      remaining_ -= n;
      i += n;
      if (remaining_ == 0) chunk_state_ = ChunkState::DataCrlf;
      break;
    }
    }
  }
  return done_;
}

} // namespace balancerd::hcheck
