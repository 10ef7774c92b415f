#include "server/pipeline/uri_path.hpp"

#include <cstring>

#include "parser/hex_digit.hpp"

namespace balancerd::pipeline {

namespace {

// True when `raw` (starting with '/') is already its own normal form: no escape, no empty segment
// before the last (a "//" run), no "." or ".." segment. Almost every request's path is; it is then
// copied once instead of being decoded byte by byte and walked for dot segments.
bool is_clean_path(std::string_view raw) {
  const char* p = raw.data();
  const char* const end = p + raw.size();
  if (std::memchr(p, '%', raw.size())) return false;
  // p points at a '/' that starts a segment
  while (p < end) {
    const char* seg = p + 1;
    const char* next = static_cast<const char*>(std::memchr(seg, '/', static_cast<std::size_t>(end - seg)));
    if (!next) next = end;
    const std::size_t len = static_cast<std::size_t>(next - seg);
    if (len == 0 && next != end) return false; // "//"
    if (len == 1 && seg[0] == '.') return false;
    if (len == 2 && seg[0] == '.' && seg[1] == '.') return false;
    p = next;
  }
  return true;
}

} // namespace

PathStatus normalise_path(std::string_view raw, std::string& out, EncodedSlashes slashes) {
  out.clear();
  if (raw.empty() || raw[0] != '/') return PathStatus::BadRequest;
  if (is_clean_path(raw)) {
    out.assign(raw);
    return PathStatus::Ok;
  }
  // decode
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return PathStatus::BadRequest;
      int h = parser::hex_digit_value(raw[i + 1]), l = parser::hex_digit_value(raw[i + 2]);
      if (h < 0 || l < 0) return PathStatus::BadRequest;
      c = static_cast<char>(h * 16 + l);
      if (c == '\0' || (c == '/' && slashes == EncodedSlashes::Off)) return PathStatus::NotFound;
      if (c == '/' && slashes == EncodedSlashes::NoDecode) {
        out.append(raw.substr(i, 3)); // kept as sent: the segment does not end here
        i += 2;
        continue;
      }
      i += 2;
    }
    if (c == '/' && !out.empty() && out.back() == '/') continue; // MergeSlashes
    out.push_back(c);
  }
  // remove dot segments in place
  std::size_t w = 0;
  std::size_t r = 0;
  const std::size_t n = out.size();
  while (r < n) {
    // out[r] == '/' here
    std::size_t end = out.find('/', r + 1);
    if (end == std::string::npos) end = n;
    std::string_view seg(out.data() + r + 1, end - r - 1);
    if (seg == ".") {
      if (end == n) out[w++] = '/';
    } else if (seg == "..") {
      if (w == 0) return PathStatus::BadRequest;
      while (w > 0 && out[w - 1] != '/') --w;
      if (w > 0) --w; // drop the slash before the removed segment
      if (end == n) out[w++] = '/';
    } else {
      for (std::size_t k = r; k < end; ++k) out[w++] = out[k];
    }
    r = end;
  }
  if (w == 0) out[w++] = '/';
  out.resize(w);
  return PathStatus::Ok;
}

} // namespace balancerd::pipeline
