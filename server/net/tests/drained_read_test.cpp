// async_read_drained() / backend::async_read_pooled(): a read that empties a socket queues the next read
// for the socket's next epoll event without a system call, and yet never misses an end of stream.
// The cases that matter are the ones where a short read alone would lie: a FIN queued behind the last
// bytes before the event was delivered raises no further event, so a reader that took "fewer bytes
// than the buffer" as "drained" would wait forever for the end of stream (these tests then fail on
// their time bound). Each test stages the socket's state first (waiting until the kernel holds the
// bytes and the FIN), then runs the io_context.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <dirent.h>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "server/backend/pooled_read.hpp"
#include "server/net/drained_read.hpp"

namespace balancerd::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
constexpr auto kBound = std::chrono::seconds(3); // a read that never completes fails the test here

// A buffer source that counts how often a read was performed (acquire) and found nothing (unused).
struct CountingSource {
  std::vector<char> buf = std::vector<char>(4096);
  int acquired = 0;
  int unused = 0;
  asio::mutable_buffer acquire_read_buffer() {
    ++acquired;
    return asio::buffer(buf);
  }
  void read_buffer_unused() noexcept { ++unused; }
};

struct Result {
  std::optional<error_code> ec;
  std::size_t n = 0;
};

// Runs handlers until `done` (bounded), then whatever else is ready at once: a read that a drained
// socket should have queued has then shown whether it was tried (no sleeping on a time window).
template <class Done> void run_until(asio::io_context& io, Done done) {
  const auto end = std::chrono::steady_clock::now() + kBound;
  while (!done() && std::chrono::steady_clock::now() < end) io.run_one_until(end);
  io.poll();
}

class DrainedReadTest : public ::testing::Test {
protected:
  void SetUp() override {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(client, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(acceptor.local_endpoint().port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    if (!accept_later) accept(acceptor);
    pending_acceptor.emplace(std::move(acceptor));
  }
  void TearDown() override {
    if (client >= 0) ::close(client);
  }
  void accept(tcp::acceptor& acceptor) {
    server = acceptor.accept();
    enable_drained_reads(server);
  }

  void send(const std::string& s) {
    ASSERT_EQ(::send(client, s.data(), s.size(), 0), static_cast<ssize_t>(s.size()));
  }
  void send_fin() { ASSERT_EQ(::shutdown(client, SHUT_WR), 0); }
  // Waits (bounded) until the server's socket holds `bytes` bytes and, if `fin`, the FIN behind them.
  void wait_queued(int fd, int bytes, bool fin) {
    for (int i = 0; i < 2000; ++i) {
      int inq = -1;
      ASSERT_EQ(::ioctl(fd, FIONREAD, &inq), 0);
      pollfd p{fd, POLLIN | POLLRDHUP, 0};
      ASSERT_GE(::poll(&p, 1, 0), 0);
      if (inq == bytes && (!fin || (p.revents & POLLRDHUP))) return;
      ::usleep(1000);
    }
    FAIL() << "the kernel never queued " << bytes << " bytes" << (fin ? " and a FIN" : "");
  }

  asio::io_context io{1};
  tcp::socket server{io};
  int client = -1;
  bool accept_later = false;
  std::optional<tcp::acceptor> pending_acceptor;
  char buf[4096];
};

// The bytes and the FIN both arrive while a read waits: one epoll event covers both. The read takes the
// bytes (fewer than the buffer holds), and the next read must still see the end of stream.
TEST_F(DrainedReadTest, DataAndFinInOneEventEndTheStream) {
  Result first, second;
  async_read_drained(server, asio::buffer(buf), [&](error_code ec, std::size_t n) {
    first = {ec, n};
    async_read_drained(server, asio::buffer(buf), [&](error_code ec2, std::size_t n2) {
      second = {ec2, n2};
    });
  });
  io.poll(); // the read finds nothing and waits for an event
  ASSERT_FALSE(first.ec);
  send("hello");
  send_fin();
  wait_queued(server.native_handle(), 5, true);
  io.run_for(kBound);
  ASSERT_TRUE(first.ec);
  EXPECT_FALSE(*first.ec);
  EXPECT_EQ(first.n, 5u);
  ASSERT_TRUE(second.ec) << "the end of stream queued behind the bytes was never read";
  EXPECT_EQ(*second.ec, asio::error::eof);
}

// The same through a backend's pooled read; a read that finds the end of stream gives its buffer back.
TEST_F(DrainedReadTest, PooledReadSeesFinQueuedBehindItsBytes) {
  CountingSource source;
  Result first, second;
  backend::async_read_pooled(server, source, [&](error_code ec, std::size_t n) {
    first = {ec, n};
    backend::async_read_pooled(server, source, [&](error_code ec2, std::size_t n2) { second = {ec2, n2}; });
  });
  io.poll();
  send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  send_fin();
  wait_queued(server.native_handle(), 57, true);
  io.run_for(kBound);
  ASSERT_TRUE(first.ec);
  EXPECT_EQ(first.n, 57u);
  ASSERT_TRUE(second.ec) << "the backend's close was never noticed";
  EXPECT_EQ(*second.ec, asio::error::eof);
  EXPECT_EQ(source.unused, 2); // the first attempt (nothing there yet) and the end of stream
}

// Bytes alone: the read that takes them drains the socket, so the next read waits for an event without
// a system call (a plain Asio read would try at once and fail); the FIN arrives later, in its own
// event, and completes it.
TEST_F(DrainedReadTest, DrainedSocketWaitsForTheNextEvent) {
  CountingSource source;
  Result first, second;
  async_read_drained(server, asio::buffer(buf), [&](error_code ec, std::size_t n) {
    first = {ec, n};
    backend::async_read_pooled(server, source, [&](error_code ec2, std::size_t n2) { second = {ec2, n2}; });
  });
  io.poll();
  send("hello");
  wait_queued(server.native_handle(), 5, false);
  run_until(io, [&] { return first.ec.has_value(); });
  ASSERT_TRUE(first.ec);
  EXPECT_EQ(first.n, 5u);
  EXPECT_EQ(source.acquired, 0) << "the read after a drained read was tried at once";
  EXPECT_FALSE(second.ec);
  send_fin();
  io.run_for(kBound);
  ASSERT_TRUE(second.ec);
  EXPECT_EQ(*second.ec, asio::error::eof);
  EXPECT_EQ(source.acquired, 1);
}

// A read that fills its buffer may have left bytes behind: the next read is tried at once. Two
// buffers' worth queued in one event must both be read, with no FIN to give them away.
TEST_F(DrainedReadTest, FullBufferIsNotDrained) {
  const std::string data(2 * 1024, 'x');
  Result first, second, third;
  CountingSource source;
  async_read_drained(server, asio::buffer(buf, 1024), [&](error_code ec, std::size_t n) {
    first = {ec, n};
    async_read_drained(server, asio::buffer(buf, 1024), [&](error_code ec2, std::size_t n2) {
      second = {ec2, n2};
      backend::async_read_pooled(server, source, [&](error_code ec3, std::size_t n3) { third = {ec3, n3}; });
    });
  });
  io.poll(); // waits for an event: the one for both buffers
  send(data);
  wait_queued(server.native_handle(), 2048, false);
  run_until(io, [&] { return second.ec.has_value(); });
  ASSERT_TRUE(first.ec);
  EXPECT_EQ(first.n, 1024u);
  ASSERT_TRUE(second.ec) << "bytes left behind a full read were never read";
  EXPECT_EQ(second.n, 1024u);
  EXPECT_EQ(source.acquired, 1); // tried at once after a full read
  send_fin();
  io.run_for(kBound);
  ASSERT_TRUE(third.ec);
  EXPECT_EQ(*third.ec, asio::error::eof);
}

// A full read with nothing behind it: not known to be drained, so the next read is tried at once
// (and fails), then waits for the bytes.
TEST_F(DrainedReadTest, FullReadTriesTheNextReadAtOnce) {
  Result first, second;
  CountingSource source;
  async_read_drained(server, asio::buffer(buf, 1024), [&](error_code ec, std::size_t n) {
    first = {ec, n};
    backend::async_read_pooled(server, source, [&](error_code ec2, std::size_t n2) { second = {ec2, n2}; });
  });
  io.poll();
  send(std::string(1024, 'y'));
  wait_queued(server.native_handle(), 1024, false);
  run_until(io, [&] { return first.ec.has_value(); });
  ASSERT_TRUE(first.ec);
  EXPECT_EQ(first.n, 1024u);
  EXPECT_EQ(source.acquired, 1);
  EXPECT_EQ(source.unused, 1);
  send("z");
  io.run_for(kBound);
  ASSERT_TRUE(second.ec);
  EXPECT_FALSE(*second.ec);
  EXPECT_EQ(second.n, 1u);
}

// Bytes and FIN queued before the server's socket was even accepted (a `printf ... | nc -N` client):
// the first read is Asio's immediate attempt, before any event was delivered for this socket.
class DrainedReadBeforeAcceptTest : public DrainedReadTest {
protected:
  void SetUp() override {
    accept_later = true;
    DrainedReadTest::SetUp();
  }
};
TEST_F(DrainedReadBeforeAcceptTest, DataAndFinBeforeAcceptEndTheStream) {
  send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  send_fin();
  accept(*pending_acceptor);
  wait_queued(server.native_handle(), 27, true);
  Result first, second;
  async_read_drained(server, asio::buffer(buf), [&](error_code ec, std::size_t n) {
    first = {ec, n};
    async_read_drained(server, asio::buffer(buf), [&](error_code ec2, std::size_t n2) {
      second = {ec2, n2};
    });
  });
  io.run_for(kBound);
  ASSERT_TRUE(first.ec);
  EXPECT_EQ(first.n, 27u);
  ASSERT_TRUE(second.ec);
  EXPECT_EQ(*second.ec, asio::error::eof);
}

// The epoll registration as the kernel holds it (/proc/self/fdinfo of every epoll descriptor), or 0.
unsigned registered_events_of(int fd) {
  DIR* d = ::opendir("/proc/self/fdinfo");
  if (!d) return 0;
  unsigned found = 0;
  while (dirent* e = ::readdir(d)) {
    std::ifstream in(std::string("/proc/self/fdinfo/") + e->d_name);
    for (std::string line; std::getline(in, line);) {
      std::istringstream ls(line);
      std::string tag, events_tag;
      int tfd = -1;
      unsigned events = 0;
      if (ls >> tag >> tfd >> events_tag >> std::hex >> events && tag == "tfd:" && tfd == fd) found = events;
    }
  }
  ::closedir(d);
  return found;
}

// EPOLLRDHUP stays registered when Asio modifies the registration for a write that would block
// (Asio adds EPOLLOUT to the set it recorded, which enable_drained_reads() updated).
TEST_F(DrainedReadTest, AsioKeepsEpollRdhupWhenAWriteWaits) {
  EXPECT_NE(registered_events_of(server.native_handle()) & EPOLLRDHUP, 0u);
  const std::string big(8 * 1024 * 1024, 'w'); // far past the socket buffers: the client reads nothing
  bool written = false;
  asio::async_write(server, asio::buffer(big), [&](error_code, std::size_t) { written = true; });
  io.poll();
  ASSERT_FALSE(written);
  const unsigned events = registered_events_of(server.native_handle());
  EXPECT_NE(events & EPOLLOUT, 0u);
  EXPECT_NE(events & EPOLLRDHUP, 0u);
  server.close();
  io.run_for(kBound);
}

// Unix sockets are not enabled: Asio's reads, each read after a short one tried at once; an end of
// stream is seen either way.
TEST(DrainedReadUnixTest, UnixSocketsReadAsAsioDoes) {
  asio::io_context io{1};
  asio::local::stream_protocol::socket a(io), b(io);
  asio::local::connect_pair(a, b);
  char buf[4096];
  CountingSource source;
  Result first, second;
  async_read_drained(a, asio::buffer(buf), [&](error_code ec, std::size_t n) {
    first = {ec, n};
    backend::async_read_pooled(a, source, [&](error_code ec2, std::size_t n2) { second = {ec2, n2}; });
  });
  io.poll();
  asio::write(b, asio::buffer(std::string("hello")));
  run_until(io, [&] { return first.ec.has_value(); });
  ASSERT_TRUE(first.ec);
  EXPECT_EQ(first.n, 5u);
  EXPECT_EQ(source.acquired, 1) << "a Unix socket's read after a short read waited for an event";
  EXPECT_EQ(source.unused, 1);
  b.shutdown(asio::socket_base::shutdown_send);
  io.run_for(kBound);
  ASSERT_TRUE(second.ec);
  EXPECT_EQ(*second.ec, asio::error::eof);
}

} // namespace
} // namespace balancerd::net
