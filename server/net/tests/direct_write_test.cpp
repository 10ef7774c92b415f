// The connection's response write: one sendmsg issued at once, Asio's asynchronous write only for
// what the socket would not take. Checks that a response far larger than the socket buffers still
// arrives whole and in order (the partial-send path), and that a write's callback never runs inside
// write() itself (handlers rely on it: they update their state after calling write()).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "server/lifecycle/tests/test_get.hpp"
#include "server/net/http_server.hpp"
#include "server/net/tests/one_handler_server.hpp"

namespace balancerd::net {
namespace {

using testing_net::read_response;
using testing_net::send_all;
using testing_net::wait_for;

constexpr std::size_t kBig = 16 * 1024 * 1024; // well past loopback's send and receive buffers

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
  return s;
}

class WriteHandler : public RequestHandler {
public:
  explicit WriteHandler(const std::string& big) : big_(big) {}
  void handle(Exchange& ex) override {
    const bool big = ex.request().path == "/big";
    auto& h = ex.response();
    h.status = 200;
    h.set_content_type("text/plain");
    // a head larger than the socket buffers: its unsent rest must outlive the thread's head buffer,
    // which the next response on the thread reuses
    if (ex.request().path == "/bighead") h.add("X-Big", big_);
    if (big) {
      // head first (not last: the callback continues), then the body in one write
      in_write_ = true;
      ex.write({}, false, [this, &ex](bool ok) {
        if (in_write_) ++nested_;
        if (!ok) return;
        in_write_ = true;
        ex.write(std::span<const char>(big_.data(), big_.size()), true, [this](bool ok2) {
          if (in_write_) ++nested_;
          if (ok2) ++completed_;
        });
        in_write_ = false;
      });
      in_write_ = false;
      return;
    }
    static constexpr std::string_view kSmall = "small body";
    h.content_length = kSmall.size();
    in_write_ = true;
    ex.write(std::span<const char>(kSmall.data(), kSmall.size()), true, [this](bool ok) {
      if (in_write_) ++nested_;
      if (ok) ++completed_;
    });
    in_write_ = false;
  }
  std::atomic<int> nested_{0};    // callbacks that ran inside write()
  std::atomic<int> completed_{0}; // last writes that reported success

private:
  const std::string& big_;
  bool in_write_ = false; // the io thread only
};

// bounded: a lost byte fails the test instead of hanging it
int connect_to(unsigned short port) {
  return balancerd::testing_support::connect_loopback(port, 10);
}

using Server = testing_net::OneHandlerServer<WriteHandler>;

TEST(DirectWrite, SmallResponsesCompleteOutsideWrite) {
  const std::string big;
  Server s(big);
  const int fd = connect_to(s.port);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 3; ++i) {
    send_all(fd, "GET /small HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string head, buf;
    EXPECT_EQ(read_response(fd, head, buf), "small body");
    EXPECT_NE(head.find("Content-Length: 10\r\n"), std::string::npos) << head;
  }
  ::close(fd);
  EXPECT_EQ(wait_for(s.handler->completed_, 3), 3);
  EXPECT_EQ(s.handler->nested_.load(), 0);
}

TEST(DirectWrite, ResponseLargerThanSocketBuffersArrivesWhole) {
  const std::string big = pattern(kBig);
  Server s(big);
  const int fd = connect_to(s.port);
  ASSERT_GE(fd, 0);
  send_all(fd, "GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n");
  // not reading for a moment fills the socket buffers, so the server's send goes out in part
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::string head, buf;
  const std::string body = read_response(fd, head, buf);
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << head;
  ASSERT_EQ(body.size(), big.size());
  EXPECT_TRUE(body == big);
  // the pipelined request behind it is answered after it, in order
  EXPECT_EQ(read_response(fd, head, buf), "small body");
  ::close(fd);
  EXPECT_EQ(wait_for(s.handler->completed_, 2), 2);
  EXPECT_EQ(s.handler->nested_.load(), 0);
}

TEST(DirectWrite, HeadLargerThanSocketBuffersSurvivesOtherConnectionsWrites) {
  const std::string big = pattern(kBig);
  Server s(big);
  const int a = connect_to(s.port);
  const int b = connect_to(s.port);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  send_all(a, "GET /bighead HTTP/1.1\r\nHost: x\r\n\r\n");
  // a is not read yet, so its head goes out in part; b's responses are built meanwhile
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int i = 0; i < 3; ++i) {
    send_all(b, "GET /small HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string head, buf;
    EXPECT_EQ(read_response(b, head, buf), "small body");
  }
  std::string head, buf;
  EXPECT_EQ(read_response(a, head, buf), "small body");
  const auto at = head.find("\r\nX-Big: ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_TRUE(head.compare(at + 9, big.size(), big) == 0);
  EXPECT_EQ(head.compare(at + 9 + big.size(), 2, "\r\n"), 0);
  ::close(a);
  ::close(b);
  EXPECT_EQ(wait_for(s.handler->completed_, 4), 4);
  EXPECT_EQ(s.handler->nested_.load(), 0);
}

} // namespace
} // namespace balancerd::net
