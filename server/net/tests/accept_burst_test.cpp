// accept_waiting(): takes the connections already queued on a listen socket, at most `max`, without
// blocking, and leaves the acceptor usable for async_accept.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <vector>

#include "server/net/accept_burst.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using balancerd::net::accept_waiting;

namespace {

struct Listener {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::vector<tcp::socket> clients;
  std::vector<tcp::socket> taken;

  // Connects n clients: the kernel completes each handshake into the accept queue.
  void connect(int n) {
    for (int i = 0; i < n; ++i) {
      clients.emplace_back(io);
      clients.back().connect(acceptor.local_endpoint());
    }
  }
  std::size_t take(std::size_t max) {
    return accept_waiting(acceptor, max, [this](tcp::socket s) { taken.push_back(std::move(s)); });
  }
};

} // namespace

TEST(AcceptBurst, TakesQueuedConnectionsUpToTheBound) {
  Listener l;
  l.connect(5);
  EXPECT_EQ(l.take(3), 3u);
  EXPECT_EQ(l.take(10), 2u);
  ASSERT_EQ(l.taken.size(), 5u);
  for (auto& s : l.taken) EXPECT_TRUE(s.is_open());
}

TEST(AcceptBurst, EmptyQueueReturnsAtOnce) {
  Listener l;
  EXPECT_EQ(l.take(64), 0u); // would block forever if the acceptor were left blocking
  EXPECT_TRUE(l.taken.empty());
}

TEST(AcceptBurst, AsyncAcceptStillWorksAfterwards) {
  Listener l;
  l.connect(1);
  EXPECT_EQ(l.take(64), 1u);
  l.connect(1);
  bool accepted = false;
  l.acceptor.async_accept(
      [&](const boost::system::error_code& ec, tcp::socket s) { accepted = !ec && s.is_open(); });
  l.io.run();
  EXPECT_TRUE(accepted);
}
