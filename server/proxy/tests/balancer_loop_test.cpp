// The balancer request loop: member choice, failover on connect failures (maxattempts), the
// BALANCER_* environment, sticky routes with nofailover, failonstatus, and the all-in-error 503.
#include <gtest/gtest.h>

#include "server/balancer/balancer_state.hpp"
#include "server/proxy/tests/proxy_harness.hpp"
#include "server/proxy/tests/test_backend.hpp"

namespace balancerd::proxy::test {
namespace {

std::string url(unsigned short port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

std::string cluster(const std::string& name, const std::vector<std::string>& members,
                    const std::string& set = {}) {
  std::string s = "<Proxy \"balancer://" + name + "\">\n";
  for (const auto& m : members) s += "  BalancerMember " + m + "\n";
  if (!set.empty()) s += "  ProxySet " + set + "\n";
  s += "</Proxy>\nProxyPass \"/" + name + "/\" \"balancer://" + name + "/\"\n";
  return s;
}

unsigned member_status(Harness& h, const std::string& balancer, const std::string& member) {
  auto* b = h.store().balancer(-1, "balancer://" + balancer);
  if (!b) {
    ADD_FAILURE() << "no balancer " << balancer;
    return 0;
  }
  auto* w = b->find_member(member);
  if (!w) ADD_FAILURE() << "no member " << member;
  return w ? w->status() : 0;
}

TEST(BalancerLoop, FailsOverToTheLiveMember) {
  TestBackend live([](const SeenRequest& s) { return TestBackend::ok("live " + s.line()); });
  const auto dead = closed_port();
  Harness h(cluster("fo", {url(dead) + " route=d", url(live.port()) + " route=l"}));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/fo/x?q=1"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "live GET /x?q=1 HTTP/1.1");
  EXPECT_EQ(h.env("BALANCER_NAME"), "balancer://fo");
  EXPECT_EQ(h.env("BALANCER_WORKER_NAME"), url(live.port()));
  EXPECT_EQ(h.env("BALANCER_WORKER_ROUTE"), "l");
  EXPECT_TRUE(member_status(h, "fo", url(dead)) & directives::kWorkerInError) << h.error_log();
  EXPECT_FALSE(member_status(h, "fo", url(live.port())) & directives::kWorkerInError);
  auto log = h.error_log();
  EXPECT_NE(log.find("AH00959: ap_proxy_connect_backend disabling worker for (127.0.0.1:" +
                     std::to_string(dead) + ") for 60s"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("AH01114: HTTP: failed to make connection to backend: 127.0.0.1"), std::string::npos);
  // The dead member stays out for its retry period: the next requests go straight to the live one.
  EXPECT_EQ(h.fetch(get("/fo/y")).status, 200);
  EXPECT_EQ(live.requests().size(), 2u);
}

TEST(BalancerLoop, MaxAttemptsZeroDoesNotFailOver) {
  TestBackend live([](const SeenRequest&) { return TestBackend::ok("live"); });
  const auto dead = closed_port();
  Harness h(cluster("m0", {url(dead), url(live.port())}, "maxattempts=0"));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.fetch(get("/m0/")).status, 503);
  EXPECT_TRUE(live.requests().empty());
}

TEST(BalancerLoop, AllMembersDownIs503) {
  const auto d1 = closed_port();
  const auto d2 = closed_port();
  Harness h(cluster("dead", {url(d1), url(d2)}));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/dead/"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("Content-Length"), "339");
  EXPECT_NE(r.body.find("<title>503 Service Unavailable</title>"), std::string::npos);
  EXPECT_TRUE(member_status(h, "dead", url(d1)) & directives::kWorkerInError);
  EXPECT_TRUE(member_status(h, "dead", url(d2)) & directives::kWorkerInError);
  // forcerecovery (default On) lets the next request try them again: still 503.
  EXPECT_EQ(h.fetch(get("/dead/")).status, 503);
}

TEST(BalancerLoop, FailOnStatusPutsMemberInErrorButDeliversResponse) {
  TestBackend b(
      [](const SeenRequest&) { return Reply{"HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\nfail"}; });
  Harness h(cluster("fs", {url(b.port())}, "failonstatus=500 forcerecovery=Off"));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/fs/"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "fail");
  EXPECT_TRUE(member_status(h, "fs", url(b.port())) & directives::kWorkerInError);
  EXPECT_NE(h.error_log().find("AH01174"), std::string::npos) << h.error_log();
  EXPECT_EQ(h.fetch(get("/fs/")).status, 503);
  EXPECT_EQ(b.requests().size(), 1u);
}

TEST(BalancerLoop, StickyCookieRoutes) {
  TestBackend b1([](const SeenRequest&) { return TestBackend::ok("b1"); });
  TestBackend b2([](const SeenRequest&) { return TestBackend::ok("b2"); });
  Harness h(cluster("st", {url(b1.port()) + " route=r1", url(b2.port()) + " route=r2"},
                    "stickysession=JSESSIONID"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.fetch(get("/st/", "Cookie: JSESSIONID=abc.r2\r\n")).body, "b2");
  EXPECT_EQ(h.env("BALANCER_SESSION_ROUTE"), "r2");
  EXPECT_EQ(h.env("BALANCER_SESSION_STICKY"), "JSESSIONID");
  EXPECT_EQ(h.env("BALANCER_ROUTE_CHANGED"), "");
}

TEST(BalancerLoop, NoFailoverKeepsStickyRequestsOnTheirDeadRoute) {
  TestBackend live([](const SeenRequest&) { return TestBackend::ok("live"); });
  const auto dead = closed_port();
  Harness h(cluster("nf", {url(dead) + " route=d", url(live.port()) + " route=l"},
                    "stickysession=S nofailover=On"));
  ASSERT_TRUE(h.ok());
  // First sticky request: the route's member is tried and fails; no other member may serve it.
  EXPECT_EQ(h.fetch(get("/nf/", "Cookie: S=x.d\r\n")).status, 503);
  EXPECT_EQ(h.fetch(get("/nf/", "Cookie: S=x.d\r\n")).status, 503);
  EXPECT_TRUE(live.requests().empty());
  EXPECT_EQ(h.fetch(get("/nf/", "Cookie: S=x.l\r\n")).body, "live");
}

TEST(BalancerLoop, RequestsSpreadByRequests) {
  TestBackend b1([](const SeenRequest&) { return TestBackend::ok("1"); });
  TestBackend b2([](const SeenRequest&) { return TestBackend::ok("2"); });
  Harness h(cluster("rr", {url(b1.port()) + " loadfactor=1", url(b2.port()) + " loadfactor=2"}));
  ASSERT_TRUE(h.ok());
  std::string seq;
  for (int i = 0; i < 6; ++i) seq += h.fetch(get("/rr/")).body;
  EXPECT_EQ(seq, "212212"); // Apache's observed byrequests sequence for loadfactor 1:2
}

// The answer comes 1.5 s after timeout=1 has expired: on a loaded machine (ASan under ctest -j) a
// 300 ms margin was not always enough for the timeout to win.
TEST(BalancerLoop, FailOnTimeoutPutsMemberInError) {
  TestBackend b([](const SeenRequest&) { return Reply{TestBackend::ok("late").bytes, 2500}; });
  Harness h(cluster("ft", {url(b.port()) + " timeout=1"}, "failontimeout=On forcerecovery=Off"));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/ft/slow"));
  EXPECT_EQ(r.status, 502);
  EXPECT_TRUE(member_status(h, "ft", url(b.port())) & directives::kWorkerInError);
  EXPECT_NE(h.error_log().find("AH02460"), std::string::npos) << h.error_log();
}

TEST(BalancerLoop, BalancerTimeoutWaitsThen503) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("x"); });
  Harness h(cluster("wt", {url(b.port()) + " status=+D"}, "timeout=1"));
  ASSERT_TRUE(h.ok());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(h.fetch(get("/wt/")).status, 503);
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  EXPECT_LT(waited, std::chrono::milliseconds(3000));
  EXPECT_TRUE(b.requests().empty());
}

TEST(BalancerLoop, PingWithoutContinueFailsOver) {
  // ping=: the proxy asks for a 100 itself; a member that does not send it within ping is
  // skipped and the body goes to the next one.
  TestBackend mute([](const SeenRequest&) { return TestBackend::ok("mute"); }, false);
  TestBackend live([](const SeenRequest& s) { return TestBackend::ok("live " + s.body); });
  Harness h(cluster("pg", {url(mute.port()) + " ping=200ms", url(live.port()) + " ping=200ms"}));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch("POST /pg/ HTTP/1.1\r\nHost: f\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "live hello");
  ASSERT_EQ(live.requests().size(), 1u);
  EXPECT_EQ(live.requests()[0].header("Expect"), "100-Continue");
}

} // namespace
} // namespace balancerd::proxy::test
