// A backend that closes or stalls mid-body: the client's response is cut off and mod_proxy_http's
// AH01110 is logged with APR's status, as apache2 2.4.71 logs it ((70008) for a close, (70007) for
// a timeout; compat proxy resp-truncated-log and fail-timeout).
#include <gtest/gtest.h>

#include "server/proxy/tests/proxy_harness.hpp"
#include "server/proxy/tests/test_backend.hpp"

namespace balancerd::proxy::test {
namespace {

std::string pass(unsigned short port, const std::string& extra = {}) {
  return "ProxyPass \"/t/\" \"http://127.0.0.1:" + std::to_string(port) + "/\"" + extra + "\n";
}

TEST(TruncatedBody, CloseMidBodyLogsAprIncomplete) {
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", 0, true};
  });
  Harness h(pass(b.port()));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/t/x"));
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.ok); // cut off
  const auto log = h.error_log();
  EXPECT_NE(log.find("(70008)Partial results are valid but processing is incomplete: [client 127.0.0.1:"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("] AH01110: error reading response"), std::string::npos) << log;
}

TEST(TruncatedBody, ChunkedCutLogsAprIncomplete) {
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n", 0, true};
  });
  Harness h(pass(b.port()));
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h.fetch(get("/t/x")).ok);
  EXPECT_NE(h.error_log().find("(70008)Partial results are valid but processing is incomplete"),
            std::string::npos)
      << h.error_log();
}

TEST(TruncatedBody, TimeoutMidBodyLogsAprTimeup) {
  TestBackend b([](const SeenRequest&) {
    // The head and a piece, then nothing (the proxy's timeout=1 ends it); the backend closes later.
    return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", 0, false};
  });
  Harness h(pass(b.port(), " timeout=1"));
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h.fetch(get("/t/x")).ok);
  EXPECT_NE(h.error_log().find("(70007)The timeout specified has expired: [client 127.0.0.1:"),
            std::string::npos)
      << h.error_log();
  EXPECT_NE(h.error_log().find("AH01110: error reading response"), std::string::npos) << h.error_log();
}

TEST(TruncatedBody, CompleteBodyLogsNothing) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("whole"); });
  Harness h(pass(b.port()));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.fetch(get("/t/x")).body, "whole");
  EXPECT_EQ(h.error_log().find("AH01110"), std::string::npos) << h.error_log();
}

} // namespace
} // namespace balancerd::proxy::test
