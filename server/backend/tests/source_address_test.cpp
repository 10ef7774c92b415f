// ProxySourceAddress: a connection bound to a local address before it connects (the backend sees it as
// the peer), a failed bind counting as a failed connect, and the endpoint keeping pools apart.
#include "server/backend/backend_connection.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "server/backend/tests/io_test_support.hpp"
#include "server/backend/tests/loopback_socket.hpp"

using namespace balancerd::backend;
using namespace balancerd::backend::testing;
using namespace std::chrono_literals;

namespace {

struct Listener {
  std::uint16_t port = 0;
  int fd = bind_loopback(port);
  Listener() { ::listen(fd, 8); }
  ~Listener() { ::close(fd); }
  // The peer IP of the next connection accepted.
  std::string accept_peer() {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    const int c = ::accept(fd, reinterpret_cast<sockaddr*>(&a), &len);
    if (c < 0) return {};
    ::close(c);
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    return text;
  }
};

BackendError connect_from(boost::asio::io_context& io, BackendConnection& c, std::uint16_t port,
                          const std::string& source) {
  ConnectOptions o;
  o.connect_timeout = 1000ms;
  o.source_address = source;
  const auto addrs = resolve(loopback(port));
  bool done = false;
  BackendError err = BackendError::None;
  c.connect(addrs, o, [&](BackendError e) {
    done = true;
    err = e;
  });
  EXPECT_TRUE(run_until(io, [&] { return done; }));
  return err;
}

TEST(SourceAddress, BackendSeesTheBoundAddress) {
  boost::asio::io_context io;
  Listener l;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_from(io, c, l.port, "127.0.0.2"), BackendError::None);
  EXPECT_EQ(l.accept_peer(), "127.0.0.2");
}

TEST(SourceAddress, EmptyMeansTheSystemsChoice) {
  boost::asio::io_context io;
  Listener l;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_from(io, c, l.port, ""), BackendError::None);
  EXPECT_EQ(l.accept_peer(), "127.0.0.1");
}

TEST(SourceAddress, AnAddressThatCannotBeBoundFailsTheConnect) {
  boost::asio::io_context io;
  Listener l;
  BackendConnection c(io, 8192);
  // 192.0.2.1 (TEST-NET-1) is not a local address here: bind gives EADDRNOTAVAIL.
  EXPECT_EQ(connect_from(io, c, l.port, "192.0.2.1"), BackendError::ConnectFailed);
  // An IPv6 source for an IPv4 connect cannot be bound either.
  BackendConnection c6(io, 8192);
  EXPECT_EQ(connect_from(io, c6, l.port, "::1"), BackendError::ConnectFailed);
}

TEST(SourceAddress, PartOfTheEndpoint) {
  BackendEndpoint a = loopback(80), b = loopback(80);
  EXPECT_EQ(a, b);
  b.source_address = "127.0.0.2";
  EXPECT_NE(a, b);
}

} // namespace
