#include "server/http/response.hpp"

#include "server/http/request.hpp"
#include "server/http/status.hpp"

namespace balancerd::http {

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
  fields_.append(name);
  fields_.append(": ");
  fields_.append(value);
  fields_.append("\r\n");
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
  out.append("HTTP/1.1 ");
  append_decimal(out, static_cast<std::uint64_t>(head.status));
  out.push_back(' ');
  out.append(reason);
  out.append("\r\n");
  if (!f.date.empty()) {
    out.append("Date: ");
    out.append(f.date);
    out.append("\r\n");
  }
  if (!f.server.empty()) {
    out.append("Server: ");
    out.append(f.server);
    out.append("\r\n");
  }
  out.append(head.fields());
  if (head.content_length) {
    out.append("Content-Length: ");
    append_decimal(out, *head.content_length);
    out.append("\r\n");
  }
  if (head.chunked) out.append("Transfer-Encoding: chunked\r\n");
  if (f.connection == ConnectionToken::KeepAlive) {
    if (f.keep_alive_header) {
      out.append("Keep-Alive: timeout=");
      append_decimal(out, f.keep_alive_timeout);
      if (f.keep_alive_max) { // 0: MaxKeepAliveRequests 0 (unlimited), Apache then omits max
        out.append(", max=");
        append_decimal(out, f.keep_alive_max);
      }
      out.append("\r\n");
    }
    out.append("Connection: Keep-Alive\r\n");
  } else if (f.connection == ConnectionToken::Close) {
    out.append("Connection: close\r\n");
  }
  if (!head.content_type().empty()) {
    out.append("Content-Type: ");
    out.append(head.content_type());
    out.append("\r\n");
  }
  out.append("\r\n");
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
