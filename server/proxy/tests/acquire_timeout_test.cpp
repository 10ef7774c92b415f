// acquire= with max=1: a request that finds the worker's only connection taken waits at most acquire
// ms, then gets 503 and apache2's AH00941 line (APR_TIMEUP); the worker is not put in error state. In
// a balancer the member that could not give a connection is put in error and the request fails over.
// (The harness runs one io thread, which plays apache2's one child: compat proxy pool-acquire, skipped
// in the suite because balancerd runs one io thread per core there.)
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "server/balancer/balancer_state.hpp"
#include "server/proxy/tests/proxy_harness.hpp"
#include "server/proxy/tests/test_backend.hpp"

namespace balancerd::proxy::test {
namespace {

using namespace std::chrono_literals;

Reply slow_or_fast(const SeenRequest& s) {
  if (s.line().find("/slow") != std::string::npos) return Reply{TestBackend::ok("slow").bytes, 1200};
  return TestBackend::ok("fast");
}

// Starts a slow request on its own thread and waits until the backend has it.
std::thread start_slow(Harness& h, TestBackend& b, const std::string& path, int& status) {
  std::thread t([&h, path, &status] { status = h.fetch(get(path)).status; });
  for (int i = 0; i < 200 && b.requests().empty(); ++i) std::this_thread::sleep_for(5ms);
  return t;
}

TEST(AcquireTimeout, DirectWorkerAnswers503AndLogsAprTimeup) {
  TestBackend b(slow_or_fast);
  const std::string hp = "127.0.0.1:" + std::to_string(b.port());
  Harness h("ProxyPass \"/p/\" \"http://" + hp + "/\" max=1 acquire=300 retry=0\n");
  ASSERT_TRUE(h.ok());
  int slow_status = 0;
  std::thread slow = start_slow(h, b, "/p/slow", slow_status);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = h.fetch(get("/p/fast"));
  const auto waited = std::chrono::steady_clock::now() - t0;
  slow.join();
  EXPECT_EQ(slow_status, 200);
  EXPECT_EQ(r.status, 503);
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 1000ms); // not until the slow request is done
  EXPECT_EQ(b.requests().size(), 1u);
  const auto log = h.error_log();
  EXPECT_NE(log.find("[proxy:error] [pid "), std::string::npos) << log;
  EXPECT_NE(
      log.find("(70007)The timeout specified has expired: AH00941: http: failed to acquire connection for (" +
               hp + ")"),
      std::string::npos)
      << log;
  // Not in error: the next request goes through.
  EXPECT_EQ(h.fetch(get("/p/fast")).status, 200);
}

TEST(AcquireTimeout, BalancerMemberFailsOverAndGoesInError) {
  TestBackend two(slow_or_fast);
  TestBackend three([](const SeenRequest&) { return TestBackend::ok("three"); });
  const std::string u2 = "http://127.0.0.1:" + std::to_string(two.port());
  Harness h(
      "<Proxy \"balancer://aq\">\n  BalancerMember \"" + u2 +
      "\" max=1 acquire=300 route=two\n  BalancerMember \"http://127.0.0.1:" + std::to_string(three.port()) +
      "\" route=three\n  ProxySet stickysession=S\n</Proxy>\nProxyPass \"/b/\" \"balancer://aq/\"\n");
  ASSERT_TRUE(h.ok());
  int slow_status = 0;
  std::thread slow = start_slow(h, two, "/b/slow", slow_status);
  auto r = h.fetch(get("/b/fast", "Cookie: S=x.two\r\n"));
  slow.join();
  EXPECT_EQ(slow_status, 200);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "three");
  auto* bal = h.store().balancer(-1, "balancer://aq");
  ASSERT_NE(bal, nullptr);
  ASSERT_NE(bal->find_member(u2), nullptr);
  EXPECT_TRUE(bal->find_member(u2)->status() & directives::kWorkerInError);
  // Still in error after the slow request: the sticky request goes to the other member.
  EXPECT_EQ(h.fetch(get("/b/fast", "Cookie: S=x.two\r\n")).body, "three");
}

} // namespace
} // namespace balancerd::proxy::test
