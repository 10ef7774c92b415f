#pragma once
// A cheap reading of steady_clock for timeout arithmetic. CLOCK_MONOTONIC_COARSE is the same clock
// as steady_clock's CLOCK_MONOTONIC at the kernel tick's granularity, read without the TSC (~6 ns
// against ~50 for steady_clock::now() on the bench host, and a request armed timeouts 3-4 times).
// The tick's length is added, so a reading is not earlier than the true time: a deadline computed
// from it never fires early, at most a tick (4 ms at HZ=250) late, which no timeout of Apache's
// (whole seconds, or milliseconds) can tell apart.
#include <time.h>

#include <chrono>

namespace balancerd::net {

namespace detail {
inline std::chrono::nanoseconds coarse_resolution() noexcept {
  timespec r{};
  if (::clock_getres(CLOCK_MONOTONIC_COARSE, &r) != 0) return std::chrono::milliseconds(10);
  return std::chrono::seconds(r.tv_sec) + std::chrono::nanoseconds(r.tv_nsec);
}
inline const std::chrono::nanoseconds kCoarseResolution = coarse_resolution();
} // namespace detail

inline std::chrono::steady_clock::time_point steady_now_coarse() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  const auto since =
      std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec) + detail::kCoarseResolution;
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(since));
}

} // namespace balancerd::net
