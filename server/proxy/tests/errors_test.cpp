// Apache's answers when the backend fails: refused (503), timeout and close (502 Proxy Error),
// garbage status line (HTTP/0.9), bad header, too many interim responses, ProxyErrorOverride,
// Max-Forwards: 0. Texts and log ids as apache2 2.4.71 produced them on loopback.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/proxy/tests/proxy_harness.hpp"
#include "server/proxy/tests/test_backend.hpp"

namespace balancerd::proxy::test {
namespace {

std::string pass(const std::string& path, unsigned short port, const std::string& extra = {}) {
  return "ProxyPass \"" + path + "\" \"http://127.0.0.1:" + std::to_string(port) + "/\"" + extra + "\n";
}

constexpr std::string_view kReadingError =
    "<p>Reason: <strong>Error reading from remote server</strong></p></p>";

TEST(ProxyErrors, ConnectionRefusedIs503) {
  const auto port = closed_port();
  Harness h(pass("/refused/", port));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/refused/"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("Content-Length"), "339");
  auto log = h.error_log();
  const std::string hp = "127.0.0.1:" + std::to_string(port);
  EXPECT_NE(log.find("[proxy:error] [pid "), std::string::npos) << log;
  EXPECT_NE(log.find("(111)Connection refused: AH00957: http: attempt to connect to " + hp + " (" + hp +
                     ") failed"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("AH01114: HTTP: failed to make connection to backend: 127.0.0.1"), std::string::npos)
      << log;
}

TEST(ProxyErrors, TimeoutIs502ProxyError) {
  TestBackend b([](const SeenRequest&) { return Reply{TestBackend::ok("late").bytes, 1500}; });
  Harness h(pass("/to/", b.port(), " timeout=1"));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/to/slow"));
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.head.substr(0, 25), "HTTP/1.1 502 Proxy Error\r");
  EXPECT_EQ(r.header("Content-Length"), "381");
  EXPECT_NE(r.body.find(kReadingError), std::string::npos) << r.body;
  auto log = h.error_log();
  EXPECT_NE(
      log.find("AH01102: error reading status line from remote server 127.0.0.1:" + std::to_string(b.port())),
      std::string::npos)
      << log;
  EXPECT_NE(log.find("AH00898: Error reading from remote server returned by /to/slow"), std::string::npos)
      << log;
}

TEST(ProxyErrors, CloseWithoutAnswerIs502) {
  TestBackend b([](const SeenRequest&) { return Reply{"", 0, true}; });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/d/close"));
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find(kReadingError), std::string::npos);
}

TEST(ProxyErrors, GarbageStatusLineIsHttp09) {
  TestBackend b([](const SeenRequest&) { return Reply{"GARBAGE RESPONSE\r\n\r\n", 0, true}; });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/d/bad"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(r.body.substr(0, 16), "GARBAGE RESPONSE");
}

TEST(ProxyErrors, BadHeaderIs502) {
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 200 OK\r\nGood: 1\r\nthis is bad\r\nContent-Length: 2\r\n\r\nok"};
  });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/d/badhdr"));
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(h.error_log().find("AH01106: bad HTTP/1.1 header returned by /d/badhdr (GET)"),
            std::string::npos);
}

// Reads the interim (1xx) responses before the final one.
net::test::Response read_final(net::test::Client& c, std::vector<std::string>& interims) {
  for (int i = 0; i < 20; ++i) {
    auto r = c.read_response();
    if (r.status < 100 || r.status >= 200) return r;
    interims.push_back(r.head);
  }
  return {};
}

TEST(ProxyErrors, TooManyInterimResponses) {
  TestBackend b([](const SeenRequest&) {
    std::string s;
    for (int i = 0; i < 12; ++i) s += "HTTP/1.1 102 Processing\r\n\r\n";
    return Reply{s + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"};
  });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port(), 5000);
  c.send(get("/d/many"));
  std::vector<std::string> interims;
  auto r = read_final(c, interims);
  // apache2 relays ten, then gives up.
  EXPECT_EQ(interims.size(), 10u);
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find("Too many (10) interim responses from origin server"), std::string::npos);
}

TEST(ProxyErrors, InterimResponsesAreRelayed) {
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\nConnection: X-Hop\r\nX-Hop: 1\r\n\r\n"
                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"};
  });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port(), 5000);
  c.send(get("/d/interim"));
  std::vector<std::string> interims;
  auto r = read_final(c, interims);
  ASSERT_EQ(interims.size(), 1u);
  EXPECT_EQ(interims[0], "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
}

TEST(ProxyErrors, InterimResponsesCarryTheProxysVia) {
  // apache2 2.4.71, ProxyVia Full: a relayed 103 keeps the backend's Via and gets the proxy's as a
  // field of its own after it (compat proxy resp-interim-via).
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\nVia: 1.1 up\r\n\r\n"
                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"};
  });
  Harness h("ProxyVia Full\n" + pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port(), 5000);
  c.send(get("/d/interim"));
  std::vector<std::string> interims;
  auto r = read_final(c, interims);
  ASSERT_EQ(interims.size(), 1u);
  EXPECT_EQ(interims[0].rfind("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\nVia: 1.1 up\r\nVia: 1.1 ", 0), 0u)
      << interims[0];
  EXPECT_NE(interims[0].find(" (Apache/2.4.71)\r\n\r\n"), std::string::npos) << interims[0];
  EXPECT_EQ(r.status, 200);
}

TEST(ProxyErrors, InterimResponsesSuppressedForHttp10Clients) {
  TestBackend b([](const SeenRequest&) {
    return Reply{
        "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"};
  });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch("GET /d/x HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
}

TEST(ProxyErrors, ErrorOverrideSendsLocalPage) {
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 404 Not Found\r\nContent-Length: 12\r\n\r\nbackend page"};
  });
  Harness h(pass("/d/", b.port()) + "ProxyErrorOverride On\n");
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/d/missing"));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("<title>404 Not Found</title>"), std::string::npos);
  EXPECT_EQ(r.body.find("backend page"), std::string::npos);
}

TEST(ProxyErrors, ErrorOverrideCodesLimitIt) {
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 404 Not Found\r\nContent-Length: 12\r\n\r\nbackend page"};
  });
  Harness h(pass("/d/", b.port()) + "ProxyErrorOverride On 500\n");
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/d/missing"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "backend page");
}

TEST(ProxyErrors, ErrorOverrideKeepsTheChallengeOf401) {
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"b\"\r\nX-Other: 1\r\n"
                 "Content-Length: 4\r\n\r\nauth"};
  });
  Harness h(pass("/d/", b.port()) + "ProxyErrorOverride On\n");
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/d/x"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("WWW-Authenticate"), "Basic realm=\"b\"");
  EXPECT_EQ(r.header("X-Other"), "");
  EXPECT_NE(r.body.find("<title>401 Unauthorized</title>"), std::string::npos);
}

TEST(ProxyErrors, MaxForwardsZeroOnOptionsIsAnsweredHere) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("x"); });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch("OPTIONS /d/x HTTP/1.1\r\nHost: main.example\r\nMax-Forwards: 0\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Allow"), "TRACE");
  EXPECT_TRUE(b.requests().empty());
}

TEST(ProxyErrors, MaxForwardsZeroOnTraceIsEchoedHere) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("x"); });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  const std::string req = "TRACE /d/t HTTP/1.1\r\nHost: main.example\r\nMax-Forwards: 0\r\n\r\n";
  auto r = h.fetch(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "message/http");
  EXPECT_EQ(r.body, req);
  EXPECT_TRUE(b.requests().empty());
}

TEST(ProxyErrors, MaxForwardsZeroIs400) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("x"); });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/d/x", "Max-Forwards: 0\r\n"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Max-Forwards has reached zero - proxy loop?"), std::string::npos);
  EXPECT_TRUE(b.requests().empty());
  auto r2 = h.fetch(get("/d/x", "Max-Forwards: 3\r\n"));
  EXPECT_EQ(r2.status, 200);
  EXPECT_EQ(b.requests().at(0).header("Max-Forwards"), "2");
}

TEST(ProxyErrors, LimitRequestBodyDoesNotApplyToProxiedBodies) {
  // apache2 2.4.71 forwards the body whatever the directory's LimitRequestBody (compat body-limit).
  TestBackend b([](const SeenRequest& s) { return TestBackend::ok(s.body); });
  Harness h(pass("/d/", b.port()) + "LimitRequestBody 10\n");
  ASSERT_TRUE(h.ok());
  auto r = h.fetch("POST /d/x HTTP/1.1\r\nHost: f\r\nContent-Length: 20\r\n\r\n01234567890123456789");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "01234567890123456789");
}

TEST(ProxyErrors, NoContinueFromBackendIs503) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("x"); }, false);
  Harness h(pass("/d/", b.port(), " timeout=1"));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch("POST /d/x HTTP/1.1\r\nHost: f\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.head.substr(0, 25), "HTTP/1.1 503 Proxy Error\r"); // ap_proxyerror's reason phrase
}

TEST(ProxyErrors, StallMidBodyTruncatesTheResponse) {
  // Head and part of the body, then silence past timeout=1: the client has a 200 head and gets a
  // cut body (connection closed), as from Apache.
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 0, false};
  });
  Harness h(pass("/d/", b.port(), " timeout=1"));
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port(), 4000);
  c.send(get("/d/stall"));
  auto all = c.read_all();
  EXPECT_EQ(all.substr(0, 17), "HTTP/1.1 200 OK\r\n") << all;
  EXPECT_NE(all.find("Content-Length: 100\r\n"), std::string::npos);
  EXPECT_EQ(all.find("Proxy Error"), std::string::npos);
}

} // namespace
} // namespace balancerd::proxy::test
