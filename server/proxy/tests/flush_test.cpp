// A backend that sends its body in pieces with pauses between them: each piece must reach the client
// before the backend sends the next one, with flushpackets=on, =auto (flushwait=) and off, for a
// Content-Length and a chunked body, as apache2 2.4.71 does (measured: the first piece reaches the
// client at once in all six cases; compat-tests/proxy/resp-flush-pieces.scn covers the rest). The
// backend here waits for the test to have seen a piece before it sends the next one, so the test
// never depends on timing: a proxy that held the piece back makes the client's read time out.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "server/proxy/tests/proxy_harness.hpp"

namespace balancerd::proxy::test {
namespace {

// One connection: reads the request head, sends `head` + `first`, waits (at most 3 s) until release(),
// then sends `rest` and closes.
class PiecewiseBackend {
public:
  PiecewiseBackend(std::string head, std::string first, std::string rest)
      : head_(std::move(head)), first_(std::move(first)), rest_(std::move(rest)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_fd_, 4);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~PiecewiseBackend() {
    release();
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }
  unsigned short port() const { return port_; }
  void release() {
    std::lock_guard<std::mutex> l(mu_);
    released_ = true;
    cv_.notify_all();
  }
  // Whether the rest was sent only after release() (false if the wait timed out).
  bool rest_waited() const { return rest_waited_; }

private:
  void serve() {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    timeval tv{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
    }
    send_all(fd, head_ + first_);
    {
      std::unique_lock<std::mutex> l(mu_);
      rest_waited_ = cv_.wait_for(l, std::chrono::seconds(3), [this] { return released_; });
    }
    send_all(fd, rest_);
    ::close(fd);
  }
  static void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  std::string head_, first_, rest_;
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  bool rest_waited_ = false;
};

// Reads from the client until `needle` arrived (or its 2 s receive timeout ran out).
bool read_until(net::test::Client& c, std::string_view needle) {
  while (c.pending().find(needle) == std::string::npos) {
    const std::size_t before = c.pending().size();
    if (c.closed_by_peer() || c.pending().size() == before) return false; // EOF or timeout
  }
  return true;
}

struct Case {
  const char* params;
  bool chunked;
};

void check_first_piece_arrives_alone(const Case& k) {
  const std::string head = k.chunked ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                     : "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n";
  const std::string first = k.chunked ? "6\r\npiece1\r\n" : "piece1";
  const std::string rest = k.chunked ? "7\r\npiece2\n\r\n0\r\n\r\n" : "piece2\n";
  PiecewiseBackend b(head, first, rest);
  Harness h("ProxyPass \"/p/\" \"http://127.0.0.1:" + std::to_string(b.port()) + "/\"" + k.params + "\n");
  ASSERT_TRUE(h.ok());
  net::test::Client c(h.port(), 2000);
  c.send(get("/p/x"));
  EXPECT_TRUE(read_until(c, "piece1"))
      << "the first piece did not reach the client before the second was sent: " << c.pending();
  b.release();
  const net::test::Response r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "piece1piece2\n");
  EXPECT_TRUE(b.rest_waited());
}

TEST(FlushPieces, ContentLengthFlushpacketsOn) {
  check_first_piece_arrives_alone({" flushpackets=on", false});
}
TEST(FlushPieces, ContentLengthFlushpacketsAuto) {
  check_first_piece_arrives_alone({" flushpackets=auto flushwait=50", false});
}
TEST(FlushPieces, ContentLengthDefault) {
  check_first_piece_arrives_alone({"", false});
}
TEST(FlushPieces, ChunkedFlushpacketsOn) {
  check_first_piece_arrives_alone({" flushpackets=on", true});
}
TEST(FlushPieces, ChunkedFlushpacketsAuto) {
  check_first_piece_arrives_alone({" flushpackets=auto flushwait=50", true});
}
TEST(FlushPieces, ChunkedDefault) {
  check_first_piece_arrives_alone({"", true});
}

} // namespace
} // namespace balancerd::proxy::test
