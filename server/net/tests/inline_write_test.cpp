// Exchange::write_inline on the client connection: the callback runs before the call returns when
// the socket takes every byte at once, later when it does not, never inside another connection
// callback (handle()), and the callback may end the exchange, close the connection and free its
// caller (run under ASan in CI: a connection touched after its last reference went fails there).
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "server/lifecycle/tests/test_get.hpp"
#include "server/net/http_server.hpp"
#include "server/net/io_thread.hpp"
#include "server/net/tests/one_handler_server.hpp"

namespace balancerd::net {
namespace {

using testing_net::send_all;
using testing_net::wait_for;

constexpr std::size_t kBig = 16 * 1024 * 1024; // well past loopback's send and receive buffers

// Writes the response from a posted function (as the proxy does from a backend read's completion:
// no connection callback on the stack) and frees itself in the write's callback.
thread_local bool in_write_call = false; // the io thread's: a write_inline() call is running

struct Responder {
  Exchange* ex = nullptr;
  std::string body;
  std::atomic<int>* inline_done = nullptr;
  std::atomic<int>* later_done = nullptr;
  void run() {
    auto& h = ex->response();
    h.status = 200;
    h.set_content_type("text/plain");
    h.content_length = body.size();
    in_write_call = true;
    ex->write_inline(std::span<const char>(body.data(), body.size()), true, [this](bool ok) {
      if (ok) ++*(in_write_call ? inline_done : later_done);
      delete this;
    });
    in_write_call = false; // (thread state only: the callback may have freed this)
  }
};

class InlineHandler : public RequestHandler {
public:
  explicit InlineHandler(const std::string& big) : big_(big) {}
  void handle(Exchange& ex) override {
    auto* r = new Responder;
    r->ex = &ex;
    r->body = ex.request().path == "/big" ? big_ : std::string("inline body");
    r->inline_done = &inline_done_;
    r->later_done = &later_done_;
    if (ex.request().path == "/direct") {
      r->run(); // from handle() itself: the completion must wait for handle() to return
      return;
    }
    boost::asio::post(*this_thread_io_context(), [r] { r->run(); });
  }
  void finished(Exchange&, const ExchangeOutcome& o) override {
    if (o.dispatched) ++finished_;
  }
  std::atomic<int> inline_done_{0}; // callbacks that ran inside write_inline()
  std::atomic<int> later_done_{0};  // callbacks that ran after it returned
  std::atomic<int> finished_{0};

private:
  const std::string& big_;
};

// One response's body; bytes after it stay in buf.
std::string read_response(int fd, std::string& buf) {
  std::string head;
  return testing_net::read_response(fd, head, buf);
}

bool closed_by_server(int fd) {
  char c;
  return ::recv(fd, &c, 1, 0) == 0; // the test_get socket has a receive timeout: bounded
}

using Server = testing_net::OneHandlerServer<InlineHandler>;

TEST(InlineWrite, CompletesBeforeReturningWhenTheSocketTakesEverything) {
  const std::string big;
  Server s(big);
  const int fd = testing_support::connect_loopback(s.port, 10);
  ASSERT_GE(fd, 0);
  std::string buf;
  for (int i = 0; i < 3; ++i) {
    send_all(fd, "GET /small HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(read_response(fd, buf), "inline body");
  }
  // pipelined: the second request starts inside the first one's inline completion
  send_all(fd, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(read_response(fd, buf), "inline body");
  EXPECT_EQ(read_response(fd, buf), "inline body");
  ::close(fd);
  EXPECT_EQ(wait_for(s.handler->inline_done_, 5), 5);
  EXPECT_EQ(s.handler->later_done_.load(), 0);
  EXPECT_EQ(wait_for(s.handler->finished_, 5), 5);
}

TEST(InlineWrite, CompletesLaterWhenTheSocketIsFull) {
  const std::string big(kBig, 'b');
  Server s(big);
  const int fd = testing_support::connect_loopback(s.port, 10);
  ASSERT_GE(fd, 0);
  send_all(fd, "GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100)); // not reading: the send goes out in part
  std::string buf;
  const std::string body = read_response(fd, buf);
  ASSERT_EQ(body.size(), big.size());
  EXPECT_TRUE(body == big);
  EXPECT_EQ(read_response(fd, buf), "inline body");
  ::close(fd);
  EXPECT_EQ(wait_for(s.handler->later_done_, 1), 1);
  EXPECT_EQ(wait_for(s.handler->inline_done_, 1), 1);
}

TEST(InlineWrite, NotInsideHandle) {
  const std::string big;
  Server s(big);
  const int fd = testing_support::connect_loopback(s.port, 10);
  ASSERT_GE(fd, 0);
  std::string buf;
  send_all(fd, "GET /direct HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(read_response(fd, buf), "inline body");
  ::close(fd);
  EXPECT_EQ(wait_for(s.handler->later_done_, 1), 1);
  EXPECT_EQ(s.handler->inline_done_.load(), 0);
}

TEST(InlineWrite, CompletionThatClosesTheConnectionIsSafe) {
  const std::string big;
  Server s(big);
  const int fd = testing_support::connect_loopback(s.port, 10);
  ASSERT_GE(fd, 0);
  std::string buf;
  // the inline completion ends the exchange and drops the connection's own reference
  send_all(fd, "GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(read_response(fd, buf), "inline body");
  EXPECT_TRUE(closed_by_server(fd));
  ::close(fd);
  EXPECT_EQ(wait_for(s.handler->inline_done_, 1), 1);
  EXPECT_EQ(wait_for(s.handler->finished_, 1), 1);
}

} // namespace
} // namespace balancerd::net
