#include "server/pipeline/uri_path.hpp"

namespace balancerd::pipeline {

namespace {
int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
} // namespace

PathStatus normalise_path(std::string_view raw, std::string& out, EncodedSlashes slashes) {
  out.clear();
  if (raw.empty() || raw[0] != '/') return PathStatus::BadRequest;
  // decode
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return PathStatus::BadRequest;
      int h = hexval(raw[i + 1]), l = hexval(raw[i + 2]);
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
