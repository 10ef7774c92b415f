#pragma once
// ASCII case folding and case-insensitive compares, as apr_tolower/strcasecmp in the C locale
// Apache runs in: bytes outside A-Z/a-z are never folded. The parser is the lowest layer, so the
// one implementation lives here; directives/ci_string.hpp re-exports it for everything above.
#include <cstddef>
#include <string>
#include <string_view>

namespace balancerd::parser {

inline char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline char ascii_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

inline std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_upper(c);
  return out;
}

inline bool ci_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

inline bool ci_starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && ci_equal(s.substr(0, prefix.size()), prefix);
}

} // namespace balancerd::parser
