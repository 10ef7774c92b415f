// steady_now_coarse: a steady_clock reading within a few ticks of the true time: the same clock (not
// the wall clock, not a stalled one), at most about a tick ahead of it and, since the kernel may
// update the coarse clock late (coarse_clock.hpp), not more than a few ticks behind it.
#include "server/net/coarse_clock.hpp"

#include <gtest/gtest.h>

namespace balancerd::net {
namespace {

TEST(CoarseClock, WithinAFewTicksOfTheTrueTime) {
  const auto res = detail::kCoarseResolution;
  ASSERT_GT(res.count(), 0);
  ASSERT_LE(res, std::chrono::milliseconds(100)); // a tick, not a stalled clock
  for (int i = 0; i < 10000; ++i) {
    const auto before = std::chrono::steady_clock::now();
    const auto coarse = steady_now_coarse();
    const auto after = std::chrono::steady_clock::now();
    // Usually not behind at all; a late kernel update can leave it a tick or two behind (measured
    // ~1.4 ms on the bench host); a wrong clock would be seconds or years off.
    ASSERT_GE(coarse, before - std::chrono::milliseconds(50)) << i;
    // The kernel updates the coarse clock on its tick; allow one more tick of lateness.
    ASSERT_LE(coarse, after + 2 * res) << i;
  }
}

TEST(CoarseClock, NeverGoesBackwards) {
  auto last = steady_now_coarse();
  for (int i = 0; i < 100000; ++i) {
    const auto now = steady_now_coarse();
    ASSERT_GE(now, last) << i;
    last = now;
  }
}

} // namespace
} // namespace balancerd::net
