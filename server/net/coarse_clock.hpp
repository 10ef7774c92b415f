#pragma once
// A cheap reading of steady_clock for timeout arithmetic. CLOCK_MONOTONIC_COARSE is the same clock
// as steady_clock's CLOCK_MONOTONIC at the kernel tick's granularity, read without the TSC (~6 ns
// against ~50 for steady_clock::now() on the bench host, and a request armed timeouts 3-4 times).
// The tick's length is added so that a deadline computed from it is usually not early. It can still
// be a little early: a tickless or virtualised kernel sometimes updates the coarse clock later than a
// tick (measured on the bench host after an idle wake: up to 5.4 ms behind with a 4 ms tick, so a
// deadline up to ~1.4 ms early). No timeout of Apache's (whole seconds, or tens of milliseconds) can
// tell that apart, and the timer's expiry compares against the precise clock.
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
