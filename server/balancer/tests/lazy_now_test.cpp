// LazyNow: the request path's selection reads the wall clock only when a retry check needs it.
#include "server/balancer/tests/balancer_test_support.hpp"

namespace balancerd::balancer::test {
namespace {

using std::chrono::system_clock;

TEST(LazyNow, FixedTimeIsKept) {
  const LazyNow now(at(42));
  EXPECT_EQ(now.get(), at(42));
  EXPECT_EQ(static_cast<TimePoint>(now), at(42));
}

TEST(LazyNow, DefaultReadsTheClockOnceWhenAsked) {
  const LazyNow now;
  const TimePoint before = system_clock::now();
  const TimePoint first = now.get();
  const TimePoint after = system_clock::now();
  EXPECT_GE(first, before);
  EXPECT_LE(first, after);
  EXPECT_EQ(now.get(), first); // the same reading for the whole request
}

const char* kTwo = R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" retry=60
    BalancerMember "http://127.0.0.1:2" retry=60
</Proxy>
ProxyPass "/c/" "balancer://c/")";

// A selection left with the default `now` compares a member's retry time with the real clock: a
// member put into error two minutes ago (retry=60) is tried again, one put into error now is not.
TEST(LazyNow, SelectWithDefaultNowUsesTheClockForRetryChecks) {
  TempDir dir;
  StateStore store;
  auto cfg = compile(dir, kTwo);
  ASSERT_NE(cfg, nullptr);
  store.sync(*cfg);
  BalancerState* b = store.balancer(-1, "balancer://c");
  ASSERT_NE(b, nullptr);
  WorkerState& w1 = b->member(0);
  WorkerState& w2 = b->member(1);
  ASSERT_TRUE(mark_error(w1, system_clock::now() - std::chrono::minutes(2)));
  ASSERT_TRUE(mark_error(w2, system_clock::now()));
  RequestFacts facts;
  facts.url = "balancer://c/";
  Selection s = select(*b, facts);
  ASSERT_EQ(s.status, SelectStatus::Chosen);
  EXPECT_EQ(s.worker, &w1);
  EXPECT_TRUE(w1.usable());
  EXPECT_FALSE(w2.usable());
  release(*s.worker, 0, 0);
}

// post_request with a default LazyNow stamps the error time of a worker that failonstatus puts into
// error with the time it happened.
TEST(LazyNow, PostRequestStampsTheErrorTimeWhenItMarks) {
  TempDir dir;
  StateStore store;
  auto cfg = compile(dir, std::string(kTwo) + "\nProxySet balancer://c failonstatus=500\n");
  ASSERT_NE(cfg, nullptr);
  store.sync(*cfg);
  BalancerState* b = store.balancer(-1, "balancer://c");
  ASSERT_NE(b, nullptr);
  WorkerState& w = b->member(0);
  const TimePoint before = system_clock::now();
  EXPECT_TRUE(post_request(*b, w, 200, false, LazyNow{}).empty());
  EXPECT_TRUE(w.usable());
  EXPECT_EQ(post_request(*b, w, 500, false, LazyNow{}).size(), 1u);
  EXPECT_FALSE(w.usable());
  EXPECT_GE(w.error_time(), std::chrono::time_point_cast<std::chrono::microseconds>(before));
  EXPECT_LE(w.error_time(), system_clock::now());
}

} // namespace
} // namespace balancerd::balancer::test
