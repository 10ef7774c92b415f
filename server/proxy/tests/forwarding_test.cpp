// The direct proxy path end to end: real HttpServer front end, ProxyEngine, real loopback backends.
// Expected shapes come from Apache 2.4.71 (spec apache-captures.md §4 and live runs on loopback).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>

#include "server/proxy/proxy_request.hpp"
#include "server/proxy/tests/proxy_harness.hpp"
#include "server/proxy/tests/test_backend.hpp"

namespace balancerd::proxy::test {
namespace {

std::string pass(const std::string& path, unsigned short port, const std::string& extra = {}) {
  return "ProxyPass \"" + path + "\" \"http://127.0.0.1:" + std::to_string(port) + "/\"" + extra + "\n";
}

TEST(ProxyForwarding, RequestHeadAsApacheSendsIt) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("hello"); });
  Harness h(pass("/direct/", b.port()));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch("GET /direct/hop?x=1 HTTP/1.1\r\nHost: front.example:8080\r\nUser-Agent: t\r\n"
                   "Connection: X-Foo\r\nX-Foo: 1\r\nTE: trailers\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  auto seen = b.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].head, "GET /hop?x=1 HTTP/1.1\r\n"
                          "Host: 127.0.0.1:" +
                              std::to_string(b.port()) +
                              "\r\n"
                              "User-Agent: t\r\n"
                              "X-Forwarded-For: 10.0.0.1, 127.0.0.1\r\n"
                              "X-Forwarded-Host: front.example:8080\r\n"
                              "X-Forwarded-Server: main.example\r\n"
                              "Connection: Keep-Alive\r\n\r\n");
}

TEST(ProxyForwarding, PreserveHostAndNoAddHeaders) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("x"); });
  Harness h(pass("/p/", b.port()) + "ProxyPreserveHost On\nProxyAddHeaders Off\n");
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/p/a"));
  EXPECT_EQ(r.status, 200);
  auto seen = b.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("Host"), "front.example");
  EXPECT_FALSE(seen[0].has("X-Forwarded-For"));
}

TEST(ProxyForwarding, ResponseHopByHopStrippedReasonKept) {
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 200 X\r\nConnection: X-Foo\r\nX-Foo: 1\r\nKeep-Alive: timeout=5\r\n"
                 "Proxy-Authenticate: Basic\r\nUpgrade: h2c\r\nX-Keep: yes\r\nServer: backend\r\n"
                 "Content-Length: 2\r\n\r\nok"};
  });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/d/hop"));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.head.substr(0, 15), "HTTP/1.1 200 X\r");
  EXPECT_EQ(r.header("X-Keep"), "yes");
  EXPECT_EQ(r.header("X-Foo"), "");
  EXPECT_EQ(r.header("Proxy-Authenticate"), "");
  EXPECT_EQ(r.header("Upgrade"), "");
  EXPECT_EQ(r.header("Server"), "Apache/2.4.71 (Debian)");
  EXPECT_EQ(r.header("Content-Length"), "2");
  EXPECT_EQ(r.body, "ok");
}

TEST(ProxyForwarding, ContentLengthBodyStreamed) {
  TestBackend b([](const SeenRequest& s) { return TestBackend::ok("got " + std::to_string(s.body.size())); });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  std::string body(200000, 'a');
  auto r = h.fetch("POST /d/post HTTP/1.1\r\nHost: f\r\nContent-Length: 200000\r\n\r\n" + body);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, "got 200000");
  auto seen = b.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("Content-Length"), "200000");
  EXPECT_EQ(seen[0].body, body);
}

TEST(ProxyForwarding, SmallChunkedBodyGoesWithContentLength) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("k"); });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(
      "POST /d/chunk HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  ASSERT_TRUE(r.ok);
  auto seen = b.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("Content-Length"), "5");
  EXPECT_FALSE(seen[0].has("Transfer-Encoding"));
  EXPECT_EQ(seen[0].body, "hello");
}

TEST(ProxyForwarding, LargeChunkedBodyStaysChunked) {
  TestBackend b([](const SeenRequest& s) { return TestBackend::ok(std::to_string(s.body.size())); });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  std::string raw = "POST /d/chunk HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string expect;
  for (int i = 0; i < 10; ++i) {
    std::string piece(5000, static_cast<char>('a' + i));
    raw += "1388\r\n" + piece + "\r\n";
    expect += piece;
  }
  raw += "0\r\n\r\n";
  auto r = h.fetch(raw);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, "50000");
  auto seen = b.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("Transfer-Encoding"), "chunked");
  EXPECT_FALSE(seen[0].has("Content-Length"));
  EXPECT_EQ(seen[0].body, expect);
}

TEST(ProxyForwarding, ChunkedResponseRelayed) {
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"};
  });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/d/c"));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(r.body, "abcdefg");
}

TEST(ProxyForwarding, CloseDelimitedResponseToHttp10Client) {
  TestBackend b([](const SeenRequest&) {
    return Reply{"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close", 0, true};
  });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port());
  c.send("GET /d/eof HTTP/1.0\r\nHost: f\r\n\r\n");
  auto all = c.read_all();
  EXPECT_NE(all.find("HTTP/1.1 200 OK\r\n"), std::string::npos);
  EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(all.substr(all.size() - 11), "until close");
  auto seen = b.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].line(), "GET /eof HTTP/1.1"); // HTTP/1.1 to the backend for a 1.0 client
}

TEST(ProxyForwarding, HeadKeepsContentLength) {
  TestBackend b([](const SeenRequest& s) {
    if (s.line().starts_with("HEAD")) return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"};
    return TestBackend::ok("after head");
  });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port());
  c.send("HEAD /d/x HTTP/1.1\r\nHost: f\r\n\r\n");
  auto r = c.read_response(true);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Length"), "1234");
  // The connection is still usable: the next request is answered.
  c.send(get("/d/y"));
  auto r2 = c.read_response();
  EXPECT_EQ(r2.status, 200);
  EXPECT_EQ(r2.body, "after head");
  EXPECT_EQ(b.connections(), 1); // the backend connection was reused after the bodiless HEAD answer
}

TEST(ProxyForwarding, BackendConnectionReused) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("r"); });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.fetch(get("/d/r")).body, "r");
  EXPECT_EQ(b.connections(), 1);
  EXPECT_EQ(b.requests().size(), 3u);
}

TEST(ProxyForwarding, DisableReuseClosesEachConnection) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("r"); });
  Harness h(pass("/d/", b.port(), " disablereuse=On"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 2; ++i) EXPECT_EQ(h.fetch(get("/d/r")).body, "r");
  EXPECT_EQ(b.connections(), 2);
  EXPECT_EQ(b.requests()[0].header("Connection"), "close");
}

TEST(ProxyForwarding, StaleReusedConnectionRetriedOnFreshOne) {
  // The backend closes after each answer without saying so: the pooled connection is dead when the
  // next request comes; the client must not notice.
  TestBackend b([](const SeenRequest&) { return Reply{TestBackend::ok("s").bytes, 0, true}; });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.fetch(get("/d/1")).body, "s");
  EXPECT_EQ(h.fetch(get("/d/2")).body, "s");
  EXPECT_EQ(b.requests().size(), 2u);
}

// A backend that answers the first request of each connection and gives up the connection (closes
// without answering) on the next: the pooled connection fails just as it is reused.
TestBackend::Handler give_up_on_reuse() {
  auto seen = std::make_shared<std::map<int, int>>();
  auto mu = std::make_shared<std::mutex>();
  return [seen, mu](const SeenRequest& s) {
    std::lock_guard<std::mutex> l(*mu);
    if ((*seen)[s.connection]++ > 0) return Reply{"", 0, true};
    return TestBackend::ok("first");
  };
}

std::string post(const std::string& path) {
  return "POST " + path + " HTTP/1.1\r\nHost: front.example\r\nContent-Length: 5\r\n\r\nhello";
}

TEST(ProxyForwarding, ReusedConnectionFailingUnderAPostIs502ForAFirstRequest) {
  // apache2 2.4.71 (compat proxy resp-reuse-failure-body): a request with a body is never sent twice;
  // a client connection's first request gets the 502.
  TestBackend b(give_up_on_reuse());
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.fetch(post("/d/1")).status, 200);
  auto r = h.fetch(post("/d/2")); // a new client connection; the pooled backend connection fails
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find("Error reading from remote server"), std::string::npos);
  EXPECT_EQ(b.requests().size(), 2u);
}

TEST(ProxyForwarding, ReusedConnectionFailingUnderAPostClosesAKeepAliveClient) {
  TestBackend b(give_up_on_reuse());
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port(), 5000);
  c.send(post("/d/1"));
  EXPECT_EQ(c.read_response().status, 200);
  c.send(post("/d/2"));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 0); // no answer: the connection was closed (the client may retry)
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(b.requests().size(), 2u);
}

TEST(ProxyForwarding, ReusedConnectionFailingUnderAGetIsRetriedOnce) {
  // A deliberate deviation (compat proxy resp-reuse-failure-get): apache2 would close this client
  // connection; a safe bodiless request is sent once more on a new backend connection.
  TestBackend b(give_up_on_reuse());
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port(), 5000);
  c.send(get("/d/1"));
  EXPECT_EQ(c.read_response().status, 200);
  c.send(get("/d/2"));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "first");
  EXPECT_EQ(b.requests().size(), 3u);
  EXPECT_EQ(b.connections(), 2);
}

TEST(ProxyForwarding, ExpectContinueForwardedAndRelayed) {
  TestBackend b([](const SeenRequest& s) { return TestBackend::ok("body=" + s.body); });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port());
  c.send("POST /d/exp HTTP/1.1\r\nHost: f\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  auto interim = c.read_response(true);
  EXPECT_EQ(interim.status, 100);
  c.send("hello");
  auto r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "body=hello");
  auto seen = b.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("Expect"), "100-continue");
}

TEST(ProxyForwarding, Proxy100ContinueOffAnswersLocally) {
  TestBackend b([](const SeenRequest& s) { return TestBackend::ok("body=" + s.body); });
  Harness h(pass("/d/", b.port()) + "Proxy100Continue Off\n");
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port());
  c.send("POST /d/exp HTTP/1.1\r\nHost: f\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(c.read_response(true).status, 100); // from the front end itself
  c.send("hello");
  auto r = c.read_response();
  EXPECT_EQ(r.body, "body=hello");
  EXPECT_FALSE(b.requests().at(0).has("Expect"));
}

TEST(ProxyForwarding, EarlyFinalAnswerWithoutContinue) {
  // The backend refuses without asking for the body: the client gets that answer and never sends it.
  TestBackend b(
      [](const SeenRequest&) { return Reply{"HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\nno"}; },
      false, false);
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port());
  c.send("POST /d/exp HTTP/1.1\r\nHost: f\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  auto r = c.read_response();
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, "no");
}

TEST(ProxyForwarding, EmptyPostKeepsContentLengthZero) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("e"); });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.fetch("POST /d/e HTTP/1.1\r\nHost: f\r\nContent-Length: 0\r\n\r\n").body, "e");
  EXPECT_EQ(b.requests().at(0).header("Content-Length"), "0");
}

TEST(ProxyForwarding, DefaultWorkerDoesNotReuse) {
  // ProxyPassMatch with $1 in the authority: no configured worker matches, Apache's default reverse
  // worker closes after each request.
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("m"); });
  Harness h("ProxyPassMatch \"^/m/(\\d+)/(.*)$\" \"http://127.0.0.1:$1/$2\"\n");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.fetch(get("/m/" + std::to_string(b.port()) + "/x")).body, "m");
  EXPECT_EQ(b.requests().at(0).header("Connection"), "close");
}

TEST(ProxyForwarding, ViaOnRequestAndResponse) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("v", "Via: 1.0 upstream\r\n"); });
  Harness h(pass("/d/", b.port()) + "ProxyVia Full\n");
  ASSERT_TRUE(h.ok());
  auto r = h.fetch("GET /d/via HTTP/1.1\r\nHost: front.example:" + std::to_string(h.port()) + "\r\n\r\n");
  ASSERT_TRUE(r.ok);
  const std::string via = "1.1 main.example:" + std::to_string(h.port()) + " (Apache/2.4.71)";
  EXPECT_NE(r.head.find("Via: 1.0 upstream\r\n"), std::string::npos);
  EXPECT_NE(r.head.find("Via: " + via + "\r\n"), std::string::npos);
  EXPECT_EQ(b.requests().at(0).header("Via"), via);
}

TEST(ProxyForwarding, LocationAndCookieReverseMapped) {
  unsigned short bp = 0;
  TestBackend b([&bp](const SeenRequest&) {
    return Reply{
        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:" + std::to_string(bp) +
        "/app/x\r\nSet-Cookie: a=b; Domain=backend.example; Path=/app/\r\nContent-Length: 0\r\n\r\n"};
  });
  bp = b.port();
  Harness h(pass("/direct/", bp) + "ProxyPassReverse /direct/ http://127.0.0.1:" + std::to_string(bp) +
            "/\nProxyPassReverseCookieDomain backend.example public.example\n"
            "ProxyPassReverseCookiePath /app/ /direct/\n");
  ASSERT_TRUE(h.ok());
  auto r = h.fetch(get("/direct/loc"));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.header("Location"), "http://front.example/direct/app/x");
  EXPECT_EQ(r.header("Set-Cookie"), "a=b; Domain=public.example; Path=/direct/");
}

TEST(ProxyForwarding, NothingLeaksAfterRequests) {
  TestBackend b([](const SeenRequest&) { return TestBackend::ok("z"); });
  Harness h(pass("/d/", b.port()));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.fetch(get("/d/z")).body, "z");
  // The request frees itself right after its last write completes (bounded wait for that).
  for (int i = 0; i < 200 && proxy_requests_in_flight() != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(proxy_requests_in_flight(), 0u);
}

} // namespace
} // namespace balancerd::proxy::test
