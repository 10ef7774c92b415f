#pragma once
// Test support for the log tests: a request whose headers/env/notes live in maps, exposed as a
// RequestLogView; format compilation through the model's own LogFormat parser.
#include "directives/ci_string.hpp"
#include "directives/modules/http_log_config.hpp"
#include "server/log/access_format.hpp"
#include "server/log/request_log_view.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>

namespace balancerd::log::testing {

struct CiLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
      return directives::ascii_lower(x) < directives::ascii_lower(y);
    });
  }
};
using Table = std::map<std::string, std::string, CiLess>;

inline std::optional<std::string_view> lookup_table(const void* ctx, std::string_view name) {
  const auto* t = static_cast<const Table*>(ctx);
  auto it = t->find(std::string(name));
  if (it == t->end()) return std::nullopt;
  return std::string_view(it->second);
}

inline Lookup lookup(const Table& t) {
  return Lookup{&t, &lookup_table};
}

// Microseconds since the epoch -> time_point.
inline std::chrono::system_clock::time_point at_us(long long us) {
  return std::chrono::system_clock::time_point(std::chrono::microseconds(us));
}

// Owns the data a view points at.
struct FakeRequest {
  ConnLogView conn;
  RequestLogView view;
  Table in, out, tin, tout, env, notes, ssl;

  FakeRequest() {
    conn.peer_ip = "127.0.0.1";
    conn.local_ip = "127.0.0.1";
    view.conn = &conn;
    view.client_ip = "127.0.0.1";
    view.headers_in = lookup(in);
    view.headers_out = lookup(out);
    view.trailers_in = lookup(tin);
    view.trailers_out = lookup(tout);
    view.env = lookup(env);
    view.notes = lookup(notes);
    view.ssl_var = lookup(ssl);
  }
  FakeRequest(const FakeRequest&) = delete;
};

inline AccessFormat compile(const std::string& text) {
  directives::LogFormat f;
  const auto err = directives::http::parse_log_format(text, f);
  EXPECT_FALSE(err.has_value()) << *err;
  return compile_access_format(f);
}

inline std::string render(const std::string& format, const RequestLogView& r) {
  std::string out;
  render_access_line(compile(format), r, out);
  return out;
}

// Apache's captures were taken with TZ=UTC; pin it for the process.
inline void use_utc() {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

} // namespace balancerd::log::testing
