#include "server/runtime/host_match.hpp"

#include "directives/ci_string.hpp"

namespace balancerd::runtime {

using directives::ascii_lower;

void normalize_host(std::string_view host, std::string& out) {
  std::string_view h = host;
  if (!h.empty() && h.front() == '[') {
    const auto close = h.find(']');
    h = close == std::string_view::npos ? h.substr(1) : h.substr(1, close - 1);
  } else if (const auto colon = h.rfind(':'); colon != std::string_view::npos) {
    h = h.substr(0, colon);
  }
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);
  out.resize(h.size());
  for (std::size_t i = 0; i < h.size(); ++i) out[i] = ascii_lower(h[i]);
}

std::string normalize_host(std::string_view host) {
  std::string out;
  normalize_host(host, out);
  return out;
}

std::string request_host(std::string_view absolute_uri_authority, std::string_view host_header) {
  std::string_view authority = absolute_uri_authority;
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  return normalize_host(authority.empty() ? host_header : authority);
}

bool wildcard_match(std::string_view pattern, std::string_view name) {
  // Iterative glob with single-star backtracking: linear in practice, no recursion on hostile input.
  std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == ascii_lower(name[n]))) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool has_wildcard(std::string_view text) {
  return text.find_first_of("*?") != std::string_view::npos;
}

} // namespace balancerd::runtime
