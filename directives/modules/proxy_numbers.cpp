#include "directives/modules/proxy_numbers.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace balancerd::directives::proxy {

int c_atoi(std::string_view s) {
  const std::string z(s);
  return static_cast<int>(std::strtol(z.c_str(), nullptr, 10));
}

long c_atol(std::string_view s) {
  const std::string z(s);
  return std::strtol(z.c_str(), nullptr, 10);
}

double c_atof(std::string_view s) {
  const std::string z(s);
  return std::strtod(z.c_str(), nullptr);
}

std::optional<std::chrono::microseconds> parse_timeout(std::string_view text, std::string_view default_unit) {
  const std::string z(text);
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(z.c_str(), &end, 10);
  if (errno != 0) return std::nullopt;
  std::string_view unit = (end == nullptr || *end == '\0') ? default_unit : std::string_view(end);
  if (value < 0) return std::nullopt;
  constexpr long long max64 = std::numeric_limits<long long>::max();
  auto scaled = [&](long long limit, long long factor) -> std::optional<std::chrono::microseconds> {
    if (value > limit) return std::nullopt;
    return std::chrono::microseconds(value * factor);
  };
  if (unit.empty()) return std::nullopt;
  switch (unit[0]) {
  case 's':
    return scaled(max64 / 1000000, 1000000);
  case 'h':
    // Apache checks against apr_time_sec(INT64_MAX / 3600), then multiplies.
    return scaled((max64 / 3600) / 1000000, 3600LL * 1000000);
  case 'm':
    if (unit.size() > 1 && unit[1] == 's') return scaled(max64 / 1000, 1000);
    if (unit.size() > 1 && unit[1] == 'i') return scaled((max64 / 60) / 1000000, 60LL * 1000000);
    return std::nullopt;
  default:
    return std::nullopt;
  }
}

} // namespace balancerd::directives::proxy
