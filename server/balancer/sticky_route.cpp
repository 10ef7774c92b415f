#include "server/balancer/sticky_route.hpp"

#include <cctype>

namespace balancerd::balancer {

namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// apr_strtok's first token: leading delimiters skipped, then up to the next delimiter.
std::optional<std::string> first_token(std::string_view s, std::string_view delims) {
  const std::size_t start = s.find_first_not_of(delims);
  if (start == std::string_view::npos) return std::nullopt;
  const std::size_t end = s.find_first_of(delims, start);
  return std::string(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
}

} // namespace

std::optional<std::string> url_param_value(std::string_view url, std::string_view name, bool scolonsep) {
  if (name.empty()) return std::nullopt;
  const std::string_view delims = scolonsep ? ";?&" : "?&";
  std::size_t pos = url.find(name);
  while (pos != std::string_view::npos) {
    pos += name.size();
    if (pos < url.size() && url[pos] == '=') {
      ++pos;
      // A value is there: its first token is the answer, even when there is none (Apache stops).
      if (pos < url.size()) return first_token(url.substr(pos), delims);
    }
    // Apache searches again from one past its cursor; a cursor at the end stops the search.
    if (pos >= url.size()) break;
    pos = url.find(name, pos + 1);
  }
  return std::nullopt;
}

std::optional<std::string> cookie_value(std::string_view cookies, std::string_view name) {
  if (name.empty()) return std::nullopt;
  std::size_t pos = cookies.find(name);
  while (pos != std::string_view::npos) {
    if (pos == 0 || cookies[pos - 1] == ';' || cookies[pos - 1] == ',' || is_space(cookies[pos - 1])) {
      pos += name.size();
      while (pos < cookies.size() && is_space(cookies[pos])) ++pos;
      const bool eq = pos < cookies.size() && cookies[pos] == '=';
      ++pos; // Apache's cursor moves past the character it tested
      if (eq && pos < cookies.size()) {
        std::string_view value = cookies.substr(pos);
        value = value.substr(0, value.find(';'));
        value = value.substr(0, value.find(','));
        return std::string(value);
      }
      if (pos >= cookies.size()) break;
    }
    pos = cookies.find(name, pos + 1);
  }
  return std::nullopt;
}

std::optional<StickyRoute> find_sticky_route(const BalancerSettings& s, std::string_view url,
                                             std::string_view cookie) {
  if (s.sticky.empty()) return std::nullopt;
  StickyRoute out;
  std::optional<std::string> value = url_param_value(url, s.sticky_path, s.scolonsep);
  if (value) {
    out.sticky = s.sticky_path;
  } else {
    value = cookie_value(cookie, s.sticky);
    if (!value) return std::nullopt;
    out.sticky = s.sticky;
  }
  if (s.sticky_separator != '\0') {
    const std::size_t sep = value->find(s.sticky_separator);
    if (sep == std::string::npos) return std::nullopt;
    out.route = value->substr(sep + 1);
  } else {
    out.route = std::move(*value);
  }
  return out;
}

WorkerState* find_route_worker(BalancerState& b, std::string_view route, const LazyNow& now,
                               std::size_t depth) {
  const std::size_t n = b.size();
  for (int pass = 0; pass < 2; ++pass) {
    const bool standby_pass = pass == 1;
    for (std::size_t i = 0; i < n; ++i) {
      WorkerState& w = b.member(i);
      if (w.has(directives::kWorkerHotStandby) != standby_pass) continue;
      if (!w.route_equals(route)) continue;
      if (w.usable()) return &w;
      w.retry(now);
      if (w.usable()) return &w;
      // Unusable (in error, disabled...): its redirect route lets an operator take a member out
      // while its sessions move to the named one.
      const std::string redirect = w.redirect();
      if (redirect.empty() || depth >= n) continue;
      WorkerState* rw = find_route_worker(b, redirect, now, depth + 1);
      if (rw && !rw->usable()) rw->retry(now);
      if (rw && rw->usable()) return rw;
    }
  }
  return nullptr;
}

} // namespace balancerd::balancer
