// HttpServer::update_listeners (a graceful reload's new Listen set): new addresses are bound and
// served, removed ones refuse while connections already open on them go on, unchanged ones never
// refuse, and a bind failure changes nothing. Ports are held by test_port.hpp's reserved sockets
// (bound, not listening), so a removed port refuses and no parallel test can take it meanwhile.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <system_error>
#include <thread>

#include "server/lifecycle/tests/test_port.hpp"
#include "server/net/http_server.hpp"
#include "server/tests/net_test_client.hpp"

using namespace balancerd::net;
using balancerd::net::test::Client;
using balancerd::testing_support::ReservedPort;

namespace {

// Answers with the local address the connection came in on: what IP-based vhost selection reads.
class LocalAddressHandler : public RequestHandler {
public:
  void handle(Exchange& ex) override {
    const auto& p = ex.peer();
    ex.respond(200, "text/plain", std::string(p.local_ip) + ":" + std::to_string(p.local_port));
  }
};

ListenAddress loopback(unsigned short port) {
  return {"127.0.0.1", port};
}

std::string local_address(unsigned short port) {
  return "127.0.0.1:" + std::to_string(port);
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

// One request on a fresh connection; the body, or "" when nothing answers.
std::string fetch(unsigned short port) {
  Client c(port);
  if (!c.connected()) return {};
  c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto r = c.read_response();
  return r.status == 200 ? r.body : std::string();
}

std::unique_ptr<HttpServer> start_server(std::vector<ListenAddress> listen, unsigned threads = 2) {
  ServerOptions o;
  o.listen = std::move(listen);
  o.threads = threads;
  auto s = std::make_unique<HttpServer>(o, std::make_shared<LocalAddressHandler>());
  s->start();
  return s;
}

} // namespace

TEST(NetListenerUpdate, AddsThenRemovesWhileOpenConnectionFinishes) {
  ReservedPort a, b;
  ASSERT_NE(a.port(), 0);
  ASSERT_NE(b.port(), 0);
  auto server = start_server({loopback(a.port())});

  Client kept(a.port()); // a keep-alive connection on the address that will be removed
  ASSERT_TRUE(kept.connected());
  kept.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(kept.read_response().body, local_address(a.port()));
  EXPECT_TRUE(connect_refused(b.port()));

  server->update_listeners({loopback(a.port()), loopback(b.port())});
  EXPECT_EQ(server->ports(), (std::vector<unsigned short>{a.port(), b.port()}));
  for (int i = 0; i < 4; ++i) { // every io thread has its acceptor (SO_REUSEPORT spreads them)
    EXPECT_EQ(fetch(b.port()), local_address(b.port()));
    EXPECT_EQ(fetch(a.port()), local_address(a.port()));
  }

  server->update_listeners({loopback(b.port())});
  EXPECT_EQ(server->ports(), (std::vector<unsigned short>{b.port()}));
  EXPECT_TRUE(connect_refused(a.port()));
  EXPECT_EQ(fetch(b.port()), local_address(b.port()));
  // accepted before the removal: still served, on its own address
  kept.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r = kept.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, local_address(a.port()));

  // and back: a removed address can be added again
  server->update_listeners({loopback(b.port()), loopback(a.port())});
  EXPECT_EQ(server->ports(), (std::vector<unsigned short>{b.port(), a.port()}));
  EXPECT_EQ(fetch(a.port()), local_address(a.port()));
  server->stop();
  EXPECT_TRUE(connect_refused(a.port()));
  EXPECT_TRUE(connect_refused(b.port()));
}

TEST(NetListenerUpdate, UnchangedAddressNeverRefusesDuringUpdates) {
  ReservedPort a, b;
  ASSERT_NE(a.port(), 0);
  ASSERT_NE(b.port(), 0);
  auto server = start_server({loopback(a.port())});
  std::atomic<bool> done{false};
  std::atomic<int> refused{0}, served{0};
  std::thread client([&] {
    for (int i = 0; i < 100000 && !done.load(); ++i) {
      if (fetch(a.port()) == local_address(a.port()))
        ++served;
      else
        ++refused;
    }
  });
  for (int i = 0; i < 20; ++i) {
    server->update_listeners({loopback(b.port()), loopback(a.port())});
    server->update_listeners({loopback(a.port())});
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  done = true;
  client.join();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_GT(served.load(), 0);
  EXPECT_TRUE(connect_refused(b.port()));
}

TEST(NetListenerUpdate, BindFailureChangesNothing) {
  ReservedPort a, b;
  ASSERT_NE(a.port(), 0);
  ASSERT_NE(b.port(), 0);
  // a port held without SO_REUSEPORT: the server cannot bind it
  int busy = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(busy, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(::listen(busy, 1), 0);
  socklen_t len = sizeof sa;
  ::getsockname(busy, reinterpret_cast<sockaddr*>(&sa), &len);
  const unsigned short busy_port = ntohs(sa.sin_port);

  auto server = start_server({loopback(a.port())});
  bool published = false;
  try {
    // b binds before the busy port fails: it must be released again
    server->update_listeners({loopback(a.port()), loopback(b.port()), loopback(busy_port)},
                             [&] { published = true; });
    ADD_FAILURE() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EADDRINUSE);
    EXPECT_NE(std::string(e.what()).find("make_sock: could not bind to address 127.0.0.1:" +
                                         std::to_string(busy_port)),
              std::string::npos)
        << e.what();
  }
  ::close(busy);
  EXPECT_FALSE(published);
  EXPECT_EQ(server->ports(), (std::vector<unsigned short>{a.port()}));
  EXPECT_TRUE(connect_refused(b.port()));
  EXPECT_EQ(fetch(a.port()), local_address(a.port()));
}

// The reload publishes its configuration in before_accepting: no connection on a new address may
// be accepted before it returns (the kernel may complete the handshake; the server must not take
// the connection).
TEST(NetListenerUpdate, NewAddressAcceptsOnlyAfterBeforeAccepting) {
  ReservedPort a, b;
  ASSERT_NE(a.port(), 0);
  ASSERT_NE(b.port(), 0);
  auto server = start_server({loopback(a.port())}, 1);
  std::unique_ptr<Client> early;
  std::size_t open_in_hook = 99;
  server->update_listeners({loopback(a.port()), loopback(b.port())}, [&] {
    early = std::make_unique<Client>(b.port()); // queued in the new socket's backlog
    early->send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    open_in_hook = server->connections();
  });
  EXPECT_EQ(open_in_hook, 0u);
  ASSERT_TRUE(early->connected());
  auto r = early->read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, local_address(b.port()));
}

TEST(NetListenerUpdate, EphemeralPortAndDuplicates) {
  ReservedPort a;
  ASSERT_NE(a.port(), 0);
  auto server = start_server({loopback(a.port())});
  server->update_listeners({loopback(a.port()), loopback(0), loopback(a.port())});
  auto ports = server->ports();
  ASSERT_EQ(ports.size(), 2u); // a listed twice is one listener
  EXPECT_EQ(ports[0], a.port());
  ASSERT_NE(ports[1], 0);
  EXPECT_EQ(fetch(ports[1]), local_address(ports[1]));
  // unchanged (the configured port 0 matches): the same ephemeral port stays
  server->update_listeners({loopback(0), loopback(a.port())});
  EXPECT_EQ(server->ports(), (std::vector<unsigned short>{ports[1], a.port()}));
  EXPECT_EQ(fetch(ports[1]), local_address(ports[1]));
}

TEST(NetListenerUpdate, BeforeStartOnlyRecordsTheSet) {
  ReservedPort a;
  ASSERT_NE(a.port(), 0);
  ServerOptions o;
  o.threads = 1;
  HttpServer server(o, std::make_shared<LocalAddressHandler>());
  bool called = false;
  server.update_listeners({loopback(a.port())}, [&] { called = true; });
  EXPECT_TRUE(called);
  EXPECT_TRUE(connect_refused(a.port()));
  server.start();
  EXPECT_EQ(server.ports(), (std::vector<unsigned short>{a.port()}));
  EXPECT_EQ(fetch(a.port()), local_address(a.port()));
}
