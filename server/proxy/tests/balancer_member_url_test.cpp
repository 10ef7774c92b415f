// How a balancer member's URL and the request's path are joined: as they are, like apache2 2.4.71
// (measured: a member "http://host/" sends "GET //x", "http://host/sub/" sends "GET /sub//x").
#include <gtest/gtest.h>

#include "server/proxy/tests/proxy_harness.hpp"
#include "server/proxy/tests/test_backend.hpp"

namespace balancerd::proxy::test {
namespace {

std::string member_conf(const std::string& member) {
  return "<Proxy \"balancer://m\">\n  BalancerMember \"" + member +
         "\"\n</Proxy>\nProxyPass \"/m/\" \"balancer://m/\"\n";
}

TEST(BalancerMemberUrl, TrailingSlashIsKeptBeforeThePath) {
  TestBackend b([](const SeenRequest& s) { return TestBackend::ok(s.line()); });
  Harness h(member_conf("http://127.0.0.1:" + std::to_string(b.port()) + "/"));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.fetch(get("/m/x?q=1")).body, "GET //x?q=1 HTTP/1.1");
}

TEST(BalancerMemberUrl, MemberPathThenRequestPath) {
  TestBackend b([](const SeenRequest& s) { return TestBackend::ok(s.line()); });
  Harness h(member_conf("http://127.0.0.1:" + std::to_string(b.port()) + "/sub/"));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.fetch(get("/m/x")).body, "GET /sub//x HTTP/1.1");
  Harness h2(member_conf("http://127.0.0.1:" + std::to_string(b.port()) + "/sub"));
  ASSERT_TRUE(h2.ok());
  EXPECT_EQ(h2.fetch(get("/m/x")).body, "GET /sub/x HTTP/1.1");
}

TEST(BalancerMemberUrl, NoMemberPath) {
  TestBackend b([](const SeenRequest& s) { return TestBackend::ok(s.line()); });
  Harness h(member_conf("http://127.0.0.1:" + std::to_string(b.port())));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.fetch(get("/m/x")).body, "GET /x HTTP/1.1");
}

} // namespace
} // namespace balancerd::proxy::test
