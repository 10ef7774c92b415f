// Loopback tests of the HTTP/1.1 connection: a real HttpServer on 127.0.0.1 with an ephemeral port and
// small handlers, driven by raw sockets. Expected bytes follow Apache 2.4.71's answers.
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "net_test_client.hpp"
#include "server/net/http_server.hpp"

namespace balancerd::net {
namespace {

using test::Client;
using test::Response;

// Answers "path=<path> n=<body bytes> pieces=<body pieces>" after reading the whole body; a few
// paths behave differently.
class TestHandler : public RequestHandler {
public:
  void handle(Exchange& ex) override {
    const auto& req = ex.request();
    std::string_view path = req.path;
    if (path == "/chunks") {
      // Three pieces with no Content-Length: chunked for HTTP/1.1, close-delimited for 1.0.
      ex.response().set_content_type("text/plain");
      ex.write(std::span<const char>("one,", 4), false, [&ex](bool ok) {
        if (!ok) return;
        ex.write(std::span<const char>("two,", 4), false, [&ex](bool ok2) {
          ex.write(std::span<const char>("three", 5), true, {});
          (void)ok2;
        });
      });
      return;
    }
    if (path == "/ignore-body") {
      ex.respond(200, "text/plain", "ignored");
      return;
    }
    if (path == "/error") {
      ex.send_error(404);
      return;
    }
    if (path == "/limited") ex.set_body_limit(10);
    read(ex, std::make_shared<State>());
  }

private:
  // Per request: connections on one thread interleave, so nothing is shared between them.
  struct State {
    std::size_t bytes = 0, pieces = 0;
    std::string text;
  };
  static void read(Exchange& ex, std::shared_ptr<State> st) {
    ex.read_body([st, &ex](const BodyPiece& p) {
      if (p.error) {
        ex.send_error(p.error > 0 ? p.error : 400);
        return;
      }
      if (!p.data.empty()) {
        st->bytes += p.data.size();
        ++st->pieces;
      }
      if (!p.end) return read(ex, st);
      st->text = "path=" + std::string(ex.request().path) + " n=" + std::to_string(st->bytes) +
                 " pieces=" + std::to_string(st->pieces);
      ex.respond(200, "text/plain", st->text, [st](bool) {});
    });
  }
};

struct Fixture {
  explicit Fixture(ConnectionOptions c = {}, unsigned threads = 1) {
    ServerOptions o;
    o.listen.push_back({"127.0.0.1", 0});
    o.threads = threads;
    o.connection = std::move(c);
    server = std::make_unique<HttpServer>(o, std::make_shared<TestHandler>());
    server->start();
    port = server->ports().at(0);
  }
  ~Fixture() { server->stop(); }
  std::unique_ptr<HttpServer> server;
  unsigned short port = 0;
};

TEST(NetConnection, SimpleGetMatchesApacheFraming) {
  Fixture f;
  Client c(f.port);
  ASSERT_TRUE(c.connected());
  c.send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
  Response r = c.read_response();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(test::normalize_date(r.head),
            "HTTP/1.1 200 OK\r\nDate: DATE\r\nServer: Apache/2.4.71 (Debian)\r\n"
            "Content-Length: 20\r\nContent-Type: text/plain\r\n\r\n");
  EXPECT_EQ(r.body, "path=/x n=0 pieces=0");
}

TEST(NetConnection, KeepAliveServesSeveralRequestsAndCountsDown) {
  Fixture f;
  Client c(f.port);
  for (int i = 0; i < 3; ++i) {
    c.send("GET /k HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n");
    Response r = c.read_response();
    ASSERT_TRUE(r.ok) << i;
    EXPECT_EQ(r.header("Keep-Alive"), "timeout=5, max=" + std::to_string(100 - i));
    EXPECT_EQ(r.header("Connection"), "Keep-Alive");
  }
}

// Apache counts keep-alive answers: MaxKeepAliveRequests 2 keeps the connection open after the
// first two responses and closes it with the third (apache2 2.4.71, compat keepalive scenario).
TEST(NetConnection, MaxKeepAliveRequestsClosesAfterTheLast) {
  ConnectionOptions o;
  o.max_keep_alive_requests = 2;
  Fixture f(o);
  Client c(f.port);
  for (const char* path : {"/a", "/b"}) {
    c.send(std::string("GET ") + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    Response r = c.read_response();
    EXPECT_EQ(r.header("Connection"), "") << path;
  }
  c.send("GET /c HTTP/1.1\r\nHost: localhost\r\n\r\n");
  Response last = c.read_response();
  EXPECT_EQ(last.header("Connection"), "close");
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(NetConnection, PipelinedRequestsAnsweredInOrder) {
  Fixture f;
  Client c(f.port);
  c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
         "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(c.read_response().body, "path=/1 n=0 pieces=0");
  EXPECT_EQ(c.read_response().body, "path=/2 n=3 pieces=1");
  EXPECT_EQ(c.read_response().body, "path=/3 n=0 pieces=0");
}

TEST(NetConnection, KeepAliveTimeoutClosesIdleConnection) {
  ConnectionOptions o;
  o.keep_alive_timeout = std::chrono::milliseconds(150);
  Fixture f(o);
  Client c(f.port);
  c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(c.read_response().ok);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1000));
}

TEST(NetConnection, SlowHeadersGet408) {
  ConnectionOptions o;
  o.timeout = std::chrono::milliseconds(200);
  Fixture f(o);
  Client c(f.port);
  c.send("GET / HTTP/1.1\r\nHost: local");
  std::string all = c.read_all();
  EXPECT_EQ(test::normalize_date(all),
            "HTTP/1.1 408 Request Timeout\r\nDate: DATE\r\nServer: Apache/2.4.71 (Debian)\r\n"
            "Content-Length: 261\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n"
            "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
            "<html><head>\n<title>408 Request Timeout</title>\n</head><body>\n<h1>Request Timeout</h1>\n"
            "<p>Server timeout waiting for the HTTP request from the client.</p>\n</body></html>\n");
}

TEST(NetConnection, StalledRequestLineIsClosedSilently) {
  ConnectionOptions o;
  o.timeout = std::chrono::milliseconds(200);
  Fixture f(o);
  Client c(f.port);
  c.send("GET / HT");
  EXPECT_EQ(c.read_all(), ""); // Apache: no answer, just the close
}

TEST(NetConnection, MalformedRequestGets400AndClose) {
  Fixture f;
  Client c(f.port);
  c.send("GET / HTTP/1.1\r\nHost: localhost\r\nX-A : 1\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
  Response r = c.read_response();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_EQ(r.header("Content-Length"), "266");
  EXPECT_TRUE(c.closed_by_peer()); // the pipelined request is not answered
}

TEST(NetConnection, Expect417AndTooLongUri) {
  Fixture f;
  {
    Client c(f.port);
    c.send("GET / HTTP/1.1\r\nHost: a\r\nExpect: foo\r\n\r\n");
    Response r = c.read_response();
    EXPECT_EQ(r.status, 417);
    EXPECT_EQ(r.header("Connection"), ""); // as Apache: no header, but the connection closes
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    Client c(f.port);
    c.send("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(c.read_response().status, 414);
  }
}

TEST(NetConnection, RequestBodyIsStreamedInPieces) {
  Fixture f;
  Client c(f.port);
  const std::size_t total = 300000;
  c.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(total) + "\r\n\r\n");
  std::string block(10000, 'x');
  for (std::size_t sent = 0; sent < total; sent += block.size()) c.send(block);
  Response r = c.read_response();
  ASSERT_TRUE(r.ok);
  auto pieces = std::stoul(r.body.substr(r.body.find("pieces=") + 7));
  EXPECT_EQ(r.body.substr(0, r.body.find(" pieces")), "path=/up n=300000");
  EXPECT_GT(pieces, 1u); // the body came through in pieces, never whole
}

TEST(NetConnection, ChunkedRequestBodyAndTrailer) {
  Fixture f;
  Client c(f.port);
  c.send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.send("6;x=y\r\n world\r\n0\r\nX-T: 1\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(c.read_response().body, "path=/c n=11 pieces=2");
  EXPECT_EQ(c.read_response().body, "path=/after n=0 pieces=0");
}

TEST(NetConnection, BadChunkGets400) {
  Fixture f;
  Client c(f.port);
  c.send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  Response r = c.read_response();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("Connection"), "close");
}

TEST(NetConnection, BodyOverLimitGets413WithoutContentLength) {
  Fixture f;
  Client c(f.port);
  c.send("POST /limited HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nabcdefghijk");
  std::string all = test::normalize_date(c.read_all());
  EXPECT_EQ(all.substr(0, all.find("\r\n\r\n") + 4),
            "HTTP/1.1 413 Request Entity Too Large\r\nDate: DATE\r\nServer: Apache/2.4.71 (Debian)\r\n"
            "Connection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n");
  EXPECT_NE(all.find("request data with POST requests"), std::string::npos);
}

TEST(NetConnection, ExpectContinueSends100ThenReadsBody) {
  Fixture f;
  Client c(f.port);
  c.send("POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  Response cont = c.read_response();
  EXPECT_EQ(cont.head, "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("hello");
  Response r = c.read_response();
  EXPECT_EQ(r.body, "path=/e n=5 pieces=1");
  EXPECT_EQ(r.header("Connection"), "");
}

TEST(NetConnection, UnreadBodyIsDrainedOrConnectionClosed) {
  Fixture f;
  Client c(f.port);
  // The handler ignores the body: it is read and dropped, and the next request is served.
  c.send("POST /ignore-body HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /n HTTP/1.1\r\nHost: "
         "a\r\n\r\n");
  EXPECT_EQ(c.read_response().body, "ignored");
  EXPECT_EQ(c.read_response().body, "path=/n n=0 pieces=0");
  // With Expect: 100-continue and no 100 sent, Apache closes instead of waiting for the body.
  Client d(f.port);
  d.send("POST /ignore-body HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  Response r = d.read_response();
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_TRUE(d.closed_by_peer());
}

TEST(NetConnection, ChunkedResponseAndHttp10CloseDelimited) {
  Fixture f;
  {
    Client c(f.port);
    c.send("GET /chunks HTTP/1.1\r\nHost: a\r\n\r\n");
    Response r = c.read_response();
    EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
    EXPECT_EQ(r.body, "one,two,three");
  }
  {
    Client c(f.port);
    c.send("GET /chunks HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    Response r = c.read_response();
    EXPECT_EQ(r.header("Transfer-Encoding"), "");
    EXPECT_EQ(r.header("Connection"), "close");
    EXPECT_EQ(r.body, "one,two,three");
  }
}

TEST(NetConnection, Http10AndHead) {
  Fixture f;
  {
    Client c(f.port);
    c.send("GET /x HTTP/1.0\r\n\r\n");
    Response r = c.read_response();
    EXPECT_EQ(r.header("Connection"), "close");
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    Client c(f.port);
    c.send("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    Response r = c.read_response();
    EXPECT_EQ(r.header("Keep-Alive"), "timeout=5, max=100");
    EXPECT_EQ(r.header("Connection"), "Keep-Alive");
    c.send("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n");
    Response h = c.read_response(true);
    EXPECT_EQ(h.header("Content-Length"), "20");
    c.send("HEAD /error HTTP/1.1\r\nHost: a\r\n\r\nGET /y HTTP/1.1\r\nHost: a\r\n\r\n");
    Response e = c.read_response(true);
    EXPECT_EQ(e.status, 404);
    EXPECT_EQ(e.header("Content-Length"), ""); // Apache's HEAD error: no length, no body
    EXPECT_EQ(c.read_response().body, "path=/y n=0 pieces=0");
  }
  {
    Client c(f.port);
    c.send("GET /nine\r\n");
    EXPECT_EQ(c.read_all(), "path=/nine n=0 pieces=0"); // HTTP/0.9: body only
  }
}

TEST(NetConnection, TwoThreadsServeConcurrentClients) {
  Fixture f({}, 2);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 20; ++i) clients.push_back(std::make_unique<Client>(f.port));
  for (auto& c : clients) c->send("GET /p HTTP/1.1\r\nHost: a\r\n\r\n");
  for (auto& c : clients) EXPECT_EQ(c->read_response().body, "path=/p n=0 pieces=0");
}

TEST(NetConnection, IdleKeepAliveConnectionsAreSmall) {
  Fixture f;
  constexpr int kConns = 200;
  std::vector<std::unique_ptr<Client>> clients;
  auto open_batch = [&] {
    // One request at a time: each connection goes idle before the next one opens, so the
    // per-thread pools hold the one or two exchange states that were busy at once, not as many as
    // a burst of simultaneous requests (bounded retention, not per-connection memory).
    for (int i = 0; i < kConns; ++i) {
      clients.push_back(std::make_unique<Client>(f.port));
      clients.back()->send("GET /i HTTP/1.1\r\nHost: a\r\n\r\n");
      ASSERT_TRUE(clients.back()->read_response().ok);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  };
  // The first batch warms the pools and caches; the slope to the second is what idle connections hold.
  open_batch();
  auto before = mallinfo2().uordblks;
  open_batch();
  auto after = mallinfo2().uordblks;
  // Includes the test's own Client objects (~100 bytes each) but not kernel socket buffers.
  double per_conn = static_cast<double>(after - before) / kConns;
  RecordProperty("bytes_per_idle_connection", std::to_string(per_conn));
  EXPECT_LT(per_conn, 4096.0);
  std::printf("heap per idle keep-alive connection: %.0f bytes\n", per_conn);
}

} // namespace
} // namespace balancerd::net

namespace balancerd::net {
namespace {

// Not a test: serves a fixed 200 for a while so a load generator can measure the connection layer.
// Run: server_tests --gtest_also_run_disabled_tests --gtest_filter='*DISABLED_Bench*' with
// BENCH_PORT/BENCH_SECONDS set, then e.g. `wrk -t2 -c64 -d10s http://127.0.0.1:PORT/`.
class HelloHandler : public RequestHandler {
public:
  void handle(Exchange& ex) override { ex.respond(200, "text/plain", "hello\n"); }
};

TEST(NetConnection, DISABLED_BenchTrivialHandler) {
  const char* port = std::getenv("BENCH_PORT");
  const char* secs = std::getenv("BENCH_SECONDS");
  ServerOptions o;
  o.listen.push_back({"127.0.0.1", static_cast<unsigned short>(port ? std::atoi(port) : 28090)});
  o.threads = 2;
  o.connection.max_keep_alive_requests = 0;
  HttpServer server(o, std::make_shared<HelloHandler>());
  server.start();
  std::this_thread::sleep_for(std::chrono::seconds(secs ? std::atoi(secs) : 15));
  server.stop();
}

} // namespace
} // namespace balancerd::net
