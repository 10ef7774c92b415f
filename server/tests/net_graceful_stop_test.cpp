// HttpServer::graceful_stop (apache2 -k graceful-stop): idle keep-alive connections are closed at
// once, a request in flight gets its whole response (with Connection: close), new connections are
// refused, and GracefulShutdownTimeout bounds the wait.
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "server/net/http_server.hpp"
#include "server/net/io_thread.hpp"
#include "server/tests/net_test_client.hpp"

using namespace balancerd::net;
using balancerd::net::test::Client;
using balancerd::net::test::Response;

namespace {

// "/slow?MS" answers after MS milliseconds; anything else at once.
class SlowHandler : public RequestHandler {
public:
  void handle(Exchange& ex) override {
    const auto& req = ex.request();
    if (req.path != "/slow") {
      ex.respond(200, "text/plain", "fast");
      return;
    }
    const int ms = std::stoi(std::string(req.query));
    auto timer = std::make_shared<boost::asio::steady_timer>(*this_thread_io_context());
    timer->expires_after(std::chrono::milliseconds(ms));
    timer->async_wait(
        [timer, &ex](const boost::system::error_code&) { ex.respond(200, "text/plain", "slow"); });
  }
};

std::unique_ptr<HttpServer> start_server() {
  ServerOptions o;
  o.listen.push_back({"127.0.0.1", 0});
  o.threads = 1;
  auto s = std::make_unique<HttpServer>(o, std::make_shared<SlowHandler>());
  s->start();
  return s;
}

bool connect_refused(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool refused = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0;
  ::close(fd);
  return refused;
}

} // namespace

TEST(NetGracefulStop, InFlightRequestFinishesIdleConnectionCloses) {
  auto server = start_server();
  const unsigned short port = server->ports().at(0);
  Client idle(port);
  idle.send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(idle.read_response().status, 200); // now an idle keep-alive connection
  Client busy(port);
  busy.send("GET /slow?300 HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50)); // the request is in the handler
  auto started = std::chrono::steady_clock::now();
  auto done = std::async(std::launch::async, [&] { server->graceful_stop(std::chrono::seconds(5)); });
  EXPECT_TRUE(idle.closed_by_peer());
  Response r = busy.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow");
  EXPECT_EQ(r.header("Connection"), "close");
  done.get();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_TRUE(connect_refused(port));
}

TEST(NetGracefulStop, TimeoutBoundsTheWait) {
  auto server = start_server();
  const unsigned short port = server->ports().at(0);
  Client busy(port);
  busy.send("GET /slow?3000 HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto started = std::chrono::steady_clock::now();
  server->graceful_stop(std::chrono::milliseconds(200));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, std::chrono::milliseconds(200));
  EXPECT_LT(took, std::chrono::milliseconds(2500));
  EXPECT_EQ(server->connections(), 0u);
}
