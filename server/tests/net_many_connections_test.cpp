// 10,000 idle concurrent keep-alive connections: all accepted and held, and a sample still served.
// The server runs in a child process (its own descriptor table: 10k sockets on each side), on one
// io thread, as in production.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <vector>

#include "server/net/http_server.hpp"
#include "server/tests/net_test_client.hpp"

using namespace balancerd::net;

namespace {

constexpr int kConnections = 10000;

class Hello : public RequestHandler {
public:
  void handle(Exchange& ex) override { ex.respond(200, "text/plain", "hi"); }
};

bool raise_fd_limit(rlim_t want) {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return false;
  if (r.rlim_cur >= want) return true;
  if (r.rlim_max < want) return false;
  r.rlim_cur = want;
  return ::setrlimit(RLIMIT_NOFILE, &r) == 0;
}

bool read_all(int fd, void* p, std::size_t n) {
  auto* c = static_cast<char*>(p);
  while (n) {
    ssize_t k = ::read(fd, c, n);
    if (k <= 0) return false;
    c += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

int connect_to(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

} // namespace

TEST(NetManyConnections, TenThousandIdleConnectionsAreHeldAndServed) {
  if (!raise_fd_limit(kConnections + 200)) GTEST_SKIP() << "RLIMIT_NOFILE below " << kConnections + 200;
  int to_parent[2], to_child[2];
  ASSERT_EQ(::pipe(to_parent), 0);
  ASSERT_EQ(::pipe(to_child), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(to_child[1]);
    ::close(to_parent[0]);
    ServerOptions o;
    o.listen.push_back({"127.0.0.1", 0});
    o.threads = 1;
    o.backlog = 4096;
    o.connection.keep_alive_timeout = std::chrono::seconds(60);
    o.connection.timeout = std::chrono::seconds(60);
    HttpServer server(o, std::make_shared<Hello>());
    server.start();
    unsigned short port = server.ports().at(0);
    if (::write(to_parent[1], &port, sizeof port) != sizeof port) ::_exit(2);
    char c;
    while (::read(to_child[0], &c, 1) == 1) { // each byte asks for the connection count
      std::uint64_t n = server.connections();
      if (::write(to_parent[1], &n, sizeof n) != sizeof n) break;
    }
    server.stop();
    ::_exit(0);
  }
  ::close(to_child[0]);
  ::close(to_parent[1]);
  unsigned short port = 0;
  ASSERT_TRUE(read_all(to_parent[0], &port, sizeof port));

  const auto started = std::chrono::steady_clock::now();
  std::vector<int> fds;
  fds.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    int fd = connect_to(port);
    if (fd < 0) break;
    fds.push_back(fd);
  }
  EXPECT_EQ(fds.size(), static_cast<std::size_t>(kConnections));

  // the server holds them all (accepting may lag the connects briefly)
  std::uint64_t held = 0;
  for (int i = 0; i < 250 && held < fds.size(); ++i) {
    char c = 'n';
    ASSERT_EQ(::write(to_child[1], &c, 1), 1);
    ASSERT_TRUE(read_all(to_parent[0], &held, sizeof held));
    if (held < fds.size()) ::usleep(20000);
  }
  EXPECT_EQ(held, fds.size());

  // a sample of them, spread over the set, is served
  int served = 0;
  for (std::size_t i = 0; i < fds.size(); i += 500) {
    const std::string req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::write(fds[i], req.data(), req.size()), static_cast<ssize_t>(req.size()));
    char buf[512];
    ssize_t n = ::read(fds[i], buf, sizeof buf);
    if (n > 0 && std::string_view(buf, static_cast<std::size_t>(n)).starts_with("HTTP/1.1 200 OK")) ++served;
  }
  EXPECT_EQ(served, static_cast<int>((fds.size() + 499) / 500));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));

  for (int fd : fds) ::close(fd);
  ::close(to_child[1]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ::close(to_parent[0]);
}
