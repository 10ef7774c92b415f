#include "server/http/response.hpp"

#include <array>
#include <cstring>

#include "server/http/request.hpp"
#include "server/http/status.hpp"

namespace balancerd::http {

namespace {

// Writes into space already made in a string (the caller sized it for the longest output).
struct HeadWriter {
  char* p;
  void put(char c) noexcept { *p++ = c; }
  void put(std::string_view s) noexcept {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  void decimal(std::uint64_t n) noexcept {
    char buf[24];
    char* d = buf + sizeof buf;
    do {
      *--d = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n);
    put(std::string_view(d, static_cast<std::size_t>(buf + sizeof buf - d)));
  }
};

} // namespace

void append_decimal(std::string& out, std::uint64_t n) {
  char buf[24];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n);
  out.append(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

void ResponseHead::add(std::string_view name, std::string_view value) {
  // one growth and plain copies instead of four appends (each with its own capacity check)
  const std::size_t old = fields_.size();
  fields_.resize(old + name.size() + value.size() + 4);
  HeadWriter w{fields_.data() + old};
  w.put(name);
  w.put(':');
  w.put(' ');
  w.put(value);
  w.put('\r');
  w.put('\n');
}

FieldAppender::FieldAppender(ResponseHead& head, std::size_t estimate)
    : buf_(head.fields_), used_(head.fields_.size()) {
  buf_.resize(used_ + estimate);
}

FieldAppender::~FieldAppender() {
  buf_.resize(used_);
}

void FieldAppender::grow(std::size_t need) {
  buf_.resize(used_ + need);
}

bool ResponseHead::remove(std::string_view name) {
  std::size_t pos = 0;
  while (pos < fields_.size()) {
    std::size_t eol = fields_.find("\r\n", pos);
    std::size_t colon = fields_.find(':', pos);
    if (colon < eol && iequals(std::string_view(fields_).substr(pos, colon - pos), name)) {
      fields_.erase(pos, eol + 2 - pos);
      return true;
    }
    pos = eol + 2;
  }
  return false;
}

void ResponseHead::clear() noexcept {
  status = 200;
  reason = {};
  content_length.reset();
  chunked = false;
  fields_.clear();
  content_type_.clear();
}

void ResponseHead::shrink() noexcept {
  clear();
  fields_.shrink_to_fit();
  content_type_.shrink_to_fit();
}

void serialize_head(std::string& out, const ResponseHead& head, const HeadFraming& f) {
  std::string_view reason = head.reason.empty() ? reason_phrase(head.status) : head.reason;
  // Sized once for the longest head these parts can make, written through a pointer, then trimmed:
  // the ~20 appends of a head each paid a capacity check and a call.
  constexpr std::size_t kFixed = 256; // status line, field names, numbers, CRLFs
  const std::string_view fields = head.fields();
  const std::string_view type = head.content_type();
  // The head is written into a per-thread scratch array (always in cache) and then appended: sizing
  // `out` for the bound zero-filled four or five cache lines the head never used, in a buffer that is
  // cold at hundreds of connections. A head over the scratch size is written in `out` directly.
  constexpr std::size_t kScratch = 8192;
  thread_local std::array<char, kScratch> scratch;
  const std::size_t old = out.size();
  const std::size_t bound =
      kFixed + reason.size() + f.date.size() + f.server.size() + fields.size() + type.size();
  const bool in_scratch = bound <= kScratch;
  if (!in_scratch) out.resize(old + bound);
  char* const begin = in_scratch ? scratch.data() : out.data() + old;
  HeadWriter w{begin};
  w.put("HTTP/1.1 ");
  w.decimal(static_cast<std::uint64_t>(head.status));
  w.put(' ');
  w.put(reason);
  w.put("\r\n");
  if (!f.date.empty()) {
    w.put("Date: ");
    w.put(f.date);
    w.put("\r\n");
  }
  if (!f.server.empty()) {
    w.put("Server: ");
    w.put(f.server);
    w.put("\r\n");
  }
  w.put(fields);
  if (head.content_length) {
    w.put("Content-Length: ");
    w.decimal(*head.content_length);
    w.put("\r\n");
  }
  if (head.chunked) w.put("Transfer-Encoding: chunked\r\n");
  if (f.connection == ConnectionToken::KeepAlive) {
    if (f.keep_alive_header) {
      w.put("Keep-Alive: timeout=");
      w.decimal(f.keep_alive_timeout);
      if (f.keep_alive_max) { // 0: MaxKeepAliveRequests 0 (unlimited), Apache then omits max
        w.put(", max=");
        w.decimal(f.keep_alive_max);
      }
      w.put("\r\n");
    }
    w.put("Connection: Keep-Alive\r\n");
  } else if (f.connection == ConnectionToken::Close) {
    w.put("Connection: close\r\n");
  }
  if (!type.empty()) {
    w.put("Content-Type: ");
    w.put(type);
    w.put("\r\n");
  }
  w.put("\r\n");
  const auto n = static_cast<std::size_t>(w.p - begin);
  if (in_scratch)
    out.append(begin, n);
  else
    out.resize(old + n);
}

std::size_t format_chunk_size(std::uint64_t n, char (&out)[24]) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  char tmp[20];
  std::size_t len = 0;
  do {
    tmp[len++] = kHex[n & 15];
    n >>= 4;
  } while (n);
  for (std::size_t i = 0; i < len; ++i) out[i] = tmp[len - 1 - i];
  out[len] = '\r';
  out[len + 1] = '\n';
  return len + 2;
}

void append_chunk(std::string& out, std::span<const char> data) {
  if (data.empty()) return; // a zero-size chunk would end the body
  char size[24];
  out.append(size, format_chunk_size(data.size(), size));
  out.append(data.data(), data.size());
  out.append(kChunkTail);
}

} // namespace balancerd::http
