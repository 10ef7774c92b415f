#include "server/proxypass/env_lookup.hpp"

namespace balancerd::proxypass {

std::string interpolate(std::string_view text, const EnvLookup& env) {
  if (!env) return std::string(text);
  std::string out;
  out.reserve(text.size());
  // Left to right, one "${...}" at a time; a value is never scanned again (no nested expansion).
  while (true) {
    const auto start = text.find("${");
    if (start == std::string_view::npos) break;
    const auto end = text.find('}', start + 2);
    if (end == std::string_view::npos) break;
    out.append(text.substr(0, start));
    if (auto value = env(text.substr(start + 2, end - start - 2))) out.append(*value);
    text.remove_prefix(end + 1);
  }
  out.append(text);
  return out;
}

} // namespace balancerd::proxypass
