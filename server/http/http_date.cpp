#include "server/http/http_date.hpp"

#include <cstdio>

namespace balancerd::http {

std::string_view format_http_date(std::time_t t, char (&out)[32]) noexcept {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  int n = std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                        kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return {out, n > 0 ? static_cast<std::size_t>(n) : 0};
}

std::string_view http_date_now() noexcept {
  thread_local std::time_t cached = -1;
  thread_local char buf[32];
  thread_local std::string_view view;
  std::time_t now = std::time(nullptr);
  if (now != cached) {
    cached = now;
    view = format_http_date(now, buf);
  }
  return view;
}

} // namespace balancerd::http
