#include "server/handlers/byte_ranges.hpp"

namespace balancerd::handlers {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool number(std::string_view s, std::uint64_t& v) {
  if (s.empty() || s.size() > 19) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

constexpr std::size_t kMaxRanges = 200; // Apache's MaxRanges default

} // namespace

RangeOutcome parse_ranges(std::string_view header, std::uint64_t size, std::vector<ByteRange>& out) {
  out.clear();
  header = trim(header);
  if (header.size() < 6 || (header.substr(0, 6) != "bytes=" && header.substr(0, 6) != "Bytes="))
    return RangeOutcome::Whole;
  std::string_view list = header.substr(6);
  if (list.empty()) return RangeOutcome::Whole;
  std::size_t specs = 0;
  while (true) {
    auto comma = list.find(',');
    std::string_view spec = trim(list.substr(0, comma));
    if (++specs > kMaxRanges) {
      out.clear();
      return RangeOutcome::Whole;
    }
    auto dash = spec.find('-');
    if (dash == std::string_view::npos) {
      out.clear();
      return RangeOutcome::Whole;
    }
    std::string_view a = trim(spec.substr(0, dash)), b = trim(spec.substr(dash + 1));
    std::uint64_t first = 0, last = 0;
    bool ok = true;
    if (a.empty()) {
      // suffix: the last b bytes
      std::uint64_t n = 0;
      if (!number(b, n)) {
        out.clear();
        return RangeOutcome::Whole;
      }
      if (n == 0 || size == 0)
        ok = false;
      else {
        first = n >= size ? 0 : size - n;
        last = size - 1;
      }
    } else {
      if (!number(a, first) || (!b.empty() && !number(b, last)) || (!b.empty() && last < first)) {
        out.clear();
        return RangeOutcome::Whole;
      }
      if (b.empty() || last >= size) last = size ? size - 1 : 0;
      if (first >= size) ok = false;
    }
    if (ok) {
      // merge with the previous range when they overlap or touch
      if (!out.empty() && first <= out.back().last + 1 && last + 1 >= out.back().first) {
        ByteRange& p = out.back();
        if (first < p.first) p.first = first;
        if (last > p.last) p.last = last;
      } else {
        out.push_back({first, last});
      }
    }
    if (comma == std::string_view::npos) break;
    list = list.substr(comma + 1);
  }
  if (out.empty()) return RangeOutcome::Unsatisfiable;
  if (out.size() == 1 && out[0].first == 0 && out[0].last + 1 == size) {
    return RangeOutcome::Partial; // Apache still answers 206 for a range covering the whole file
  }
  return RangeOutcome::Partial;
}

} // namespace balancerd::handlers
