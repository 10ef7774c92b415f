#include "server/proxypass/alias_match.hpp"

#include <vector>

namespace balancerd::proxypass {

std::size_t alias_match(std::string_view uri, std::string_view fake) {
  if (fake.empty()) return 0;
  std::size_t a = 0, u = 0;
  while (a < fake.size() && u < uri.size()) {
    if (fake[a] == '/') {
      if (uri[u] != '/') return 0;
      while (a < fake.size() && fake[a] == '/') ++a;
      while (u < uri.size() && uri[u] == '/') ++u;
    } else if (uri[u++] != fake[a++]) {
      return 0;
    }
  }
  if (u == uri.size() && a != fake.size()) return 0;
  if (fake[a - 1] != '/' && u < uri.size() && uri[u] != '/') return 0;
  return u;
}

std::size_t alias_match_servlet(std::string_view uri_in, std::string_view alias_in, std::string& normalised) {
  if (uri_in.empty() || alias_in.empty() || uri_in[0] != '/' || alias_in[0] != '/') return 0;
  // Indexing past the end reads '\0', as walking a C string does; the algorithm relies on it.
  const auto U = [&](long i) { return i < static_cast<long>(uri_in.size()) ? uri_in[i] : '\0'; };
  const auto A = [&](long i) { return i < static_cast<long>(alias_in.size()) ? alias_in[i] : '\0'; };
  const auto ends_segment = [](char c) { return c == '/' || c == ';' || c == '\0'; };

  // One entry per segment of the normalised path: where the segment starts in `uri`; for a segment
  // that pairs with an alias segment, 0 once it failed to match, or -(offset of its ";params") when
  // the alias' last segment matched it up to its parameters.
  std::vector<long> segments;
  std::string map = "/";
  long up = 1, ap = 1, first = 1;
  std::size_t depth = 0; // alias segments paired so far
  while (U(up) != '\0') {
    if (U(up) == ';') { // path parameters are dropped from the normalised path
      do ++up;
      while (U(up) != '/' && U(up) != '\0');
      continue;
    }
    if (map.back() == '/') {
      if (U(up) == '/') {
        do ++up;
        while (U(up) == '/');
        continue;
      }
      if (U(up) == '.' && ends_segment(U(up + 1))) { // "." segment
        ++up;
        if (U(up) == '/') ++up;
        continue;
      }
      if (U(up) == '.' && U(up + 1) == '.' && ends_segment(U(up + 2))) { // ".." segment
        if (map.size() == 1) return 0;                                   // above the root
        do map.pop_back();
        while (map.back() != '/');
        if (depth == segments.size()) { // the alias walks back with the path
          if (A(ap) == '\0') --ap;
          while (ap > 0 && A(ap) == '/') --ap;
          while (ap > 0 && A(ap - 1) != '/') --ap;
          --depth;
        }
        segments.pop_back();
        up += 2;
        if (U(up) == '/') ++up;
        first = 0;
        continue;
      }
      if (first) {
        while (U(first) == '/') ++first;
      }
      segments.push_back(first ? first : up);
      if (A(ap) != '\0') {
        if (A(ap - 1) != '/') { // stay paired with the path's segments
          do ++ap;
          while (A(ap - 1) != '/' && A(ap) != '\0');
        }
        while (A(ap) == '/') ++ap;
        if (A(ap) != '\0') ++depth;
      }
    }
    if (A(ap) != '\0') {
      long& match = segments[depth - 1];
      if (match) {
        if (A(ap) != U(up)) {
          match = 0;
        } else if (A(ap + 1) == '\0' && A(ap) != '/') {
          if (U(up + 1) == ';')
            match = -(up + 1); // the last alias segment matched up to the path's parameters
          else if (U(up + 1) != '/' && U(up + 1) != '\0')
            match = 0; // it is only a prefix of this segment
        }
      }
      if (A(ap) != '/' || U(up) == '/') ++ap;
    }
    if (U(up) == '/') first = up + 1;
    map += U(up);
    ++up;
  }
  if (A(ap) != '\0') return 0; // the path ended before the alias
  for (std::size_t d = 0; d < depth; ++d)
    if (segments[d] == 0) return 0;
  if (depth < segments.size()) {
    up = segments[depth]; // the rest starts at the segment after the alias
    if (depth && segments[depth - 1] < 0) up = -segments[depth - 1];
  }
  if (A(ap - 1) != '/' && U(up - 1) == '/') --up; // an alias without trailing '/' leaves it to the rest
  normalised = std::move(map);
  return static_cast<std::size_t>(up);
}

} // namespace balancerd::proxypass
