// steady_now_coarse: a steady_clock reading that is not earlier than the true time (so deadlines
// computed from it never fire early) and not more than about a tick later.
#include "server/net/coarse_clock.hpp"

#include <gtest/gtest.h>

namespace balancerd::net {
namespace {

TEST(CoarseClock, NotEarlierThanTheTrueTimeAndWithinATick) {
  const auto res = detail::kCoarseResolution;
  ASSERT_GT(res.count(), 0);
  ASSERT_LE(res, std::chrono::milliseconds(100)); // a tick, not a stalled clock
  for (int i = 0; i < 10000; ++i) {
    const auto before = std::chrono::steady_clock::now();
    const auto coarse = steady_now_coarse();
    const auto after = std::chrono::steady_clock::now();
    ASSERT_GE(coarse, before) << i;
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
