#include "server/handlers/file_validators.hpp"

#include <array>
#include <cstdio>

namespace balancerd::handlers {

namespace {

void append_hex(std::string& out, std::uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[16];
  char* p = buf + sizeof buf;
  do {
    *--p = kHex[v & 15];
    v >>= 4;
  } while (v);
  out.append(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int month_index(std::string_view m) {
  static constexpr std::array<std::string_view, 12> names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (m == names[static_cast<std::size_t>(i)]) return i;
  return -1;
}

bool digits(std::string_view s, int& v) {
  if (s.empty()) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  return true;
}

bool parse_clock(std::string_view s, int& h, int& m, int& sec) {
  return s.size() == 8 && s[2] == ':' && s[5] == ':' && digits(s.substr(0, 2), h) &&
         digits(s.substr(3, 2), m) && digits(s.substr(6, 2), sec) && h < 24 && m < 60 && sec < 62;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = static_cast<unsigned>((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

} // namespace

void append_etag(std::string& out, const FileStamp& stamp, std::int64_t request_time_usec) {
  const bool weak = request_time_usec - stamp.mtime_usec < 1000000;
  if (weak) out += "W/";
  out += '"';
  append_hex(out, stamp.size);
  out += '-';
  append_hex(out, static_cast<std::uint64_t>(stamp.mtime_usec));
  out += '"';
}

std::int64_t parse_http_date(std::string_view t) {
  t = trim(t);
  int day = 0, year = 0, h = 0, mi = 0, s = 0, mon = -1;
  auto comma = t.find(',');
  if (comma != std::string_view::npos) {
    std::string_view rest = trim(t.substr(comma + 1));
    if (rest.size() >= 20 && rest[2] == ' ' && rest[6] == ' ' && rest[11] == ' ') {
      // IMF-fixdate: "02 Jan 2024 03:04:05 GMT"
      if (!digits(rest.substr(0, 2), day) || (mon = month_index(rest.substr(3, 3))) < 0 ||
          !digits(rest.substr(7, 4), year) || !parse_clock(rest.substr(12, 8), h, mi, s))
        return -1;
    } else if (rest.size() >= 18 && rest[2] == '-' && rest[6] == '-' && rest[9] == ' ') {
      // RFC 850: "02-Jan-24 03:04:05 GMT"
      if (!digits(rest.substr(0, 2), day) || (mon = month_index(rest.substr(3, 3))) < 0 ||
          !digits(rest.substr(7, 2), year) || !parse_clock(rest.substr(10, 8), h, mi, s))
        return -1;
      year += year < 70 ? 2000 : 1900;
    } else {
      return -1;
    }
  } else if (t.size() >= 24 && t[3] == ' ' && t[7] == ' ') {
    // asctime: "Tue Jan  2 03:04:05 2024"
    if ((mon = month_index(t.substr(4, 3))) < 0) return -1;
    std::string_view d = trim(t.substr(8, 2));
    if (!digits(d, day) || !parse_clock(t.substr(11, 8), h, mi, s) || !digits(t.substr(20, 4), year))
      return -1;
  } else {
    return -1;
  }
  if (day < 1 || day > 31) return -1;
  return days_from_civil(year, mon + 1, day) * 86400 + h * 3600 + mi * 60 + s;
}

bool etag_list_matches(std::string_view list, std::string_view etag, bool strong) {
  if (strong && etag.starts_with("W/")) return false;
  std::string_view bare = etag.starts_with("W/") ? etag.substr(2) : etag;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (item == "*") return true;
    if (item.starts_with("W/")) {
      if (strong) continue;
      item.remove_prefix(2);
    }
    if (item == bare) return true;
  }
  return false;
}

Condition evaluate_conditions(const ConditionalHeaders& h, std::string_view etag, std::int64_t mtime_sec,
                              std::int64_t request_time_sec, bool get_or_head) {
  if (h.if_match) {
    if (!etag_list_matches(*h.if_match, etag, true)) return Condition::PreconditionFailed;
  } else if (h.if_unmodified_since) {
    std::int64_t t = parse_http_date(*h.if_unmodified_since);
    if (t >= 0 && mtime_sec > t) return Condition::PreconditionFailed;
  }
  if (h.if_none_match) {
    if (etag_list_matches(*h.if_none_match, etag, !get_or_head))
      return get_or_head ? Condition::NotModified : Condition::PreconditionFailed;
    return Condition::Proceed;
  }
  if (h.if_modified_since && get_or_head) {
    std::int64_t t = parse_http_date(*h.if_modified_since);
    if (t >= 0 && t <= request_time_sec && mtime_sec <= t) return Condition::NotModified;
  }
  return Condition::Proceed;
}

} // namespace balancerd::handlers
