// RequestReadTimeout's stage deadline (mod_reqtimeout): how long the connection's next read may wait.
#include <gtest/gtest.h>

#include "server/http/read_timeout.hpp"

namespace balancerd::http {
namespace {

using namespace std::chrono_literals;
using Clock = ReadDeadline::Clock;

const Clock::time_point t0 = Clock::time_point{} + 1000s;

TEST(ReadDeadline, OffStageWaitsTimeout) {
  ReadDeadline d;
  d.start(ReadTimeoutStage{}, t0);
  EXPECT_FALSE(d.active());
  EXPECT_EQ(d.wait(60s, t0 + 500s), Clock::duration(60s));
}

TEST(ReadDeadline, StageShortensTheReadAndEndsAtZero) {
  ReadDeadline d;
  d.start({20s, 0s, 0}, t0);
  EXPECT_EQ(d.wait(60s, t0), Clock::duration(20s));
  EXPECT_EQ(d.wait(5s, t0), Clock::duration(5s)); // Timeout still bounds each read
  EXPECT_EQ(d.wait(60s, t0 + 15s), Clock::duration(5s));
  d.received(100000); // no MinRate: bytes do not extend it (a trickling client is cut off)
  EXPECT_EQ(d.wait(60s, t0 + 20s), Clock::duration::zero());
  EXPECT_EQ(d.wait(60s, t0 + 30s), Clock::duration::zero());
}

TEST(ReadDeadline, MinRateExtendsUpToTheRangeCap) {
  ReadDeadline d;
  d.start({20s, 40s, 500}, t0); // Apache's default header stage
  d.received(500);              // one more second
  EXPECT_EQ(d.wait(60s, t0), Clock::duration(21s));
  d.received(250); // half a second
  EXPECT_EQ(d.wait(60s, t0), Clock::duration(21500ms));
  d.received(500 * 100); // far past the cap
  EXPECT_EQ(d.wait(60s, t0), Clock::duration(40s));
}

TEST(ReadDeadline, MinRateWithoutRangeHasNoCap) {
  ReadDeadline d;
  d.start({20s, 0s, 500}, t0); // Apache's default body stage
  d.received(500 * 100);
  EXPECT_EQ(d.wait(1000s, t0), Clock::duration(120s));
}

TEST(ReadDeadline, RestartAndStop) {
  ReadDeadline d;
  d.start({1s, 0s, 0}, t0);
  EXPECT_EQ(d.wait(60s, t0 + 2s), Clock::duration::zero());
  d.start({1s, 0s, 0}, t0 + 2s); // the next request's head
  EXPECT_EQ(d.wait(60s, t0 + 2s), Clock::duration(1s));
  d.stop();
  EXPECT_EQ(d.wait(60s, t0 + 10s), Clock::duration(60s));
}

TEST(RequestReadTimeouts, ModuleDefaults) {
  const auto t = RequestReadTimeouts::module_defaults();
  EXPECT_EQ(t.header.timeout, 20s);
  EXPECT_EQ(t.header.max, 40s);
  EXPECT_EQ(t.header.min_rate, 500u);
  EXPECT_EQ(t.body.timeout, 20s);
  EXPECT_EQ(t.body.max, 0s);
  EXPECT_EQ(t.body.min_rate, 500u);
  EXPECT_TRUE(t.on);
  EXPECT_EQ(RequestReadTimeouts{}.header.timeout, 0s); // not loaded: no stage limits
  EXPECT_FALSE(RequestReadTimeouts{}.on);              // nor a body stage from a request's vhost
}

} // namespace
} // namespace balancerd::http
