// The probe's failures carry the error apache2 logs with AH00957: a refused connect its errno, a
// connect or read that runs out of time APR_TIMEUP (70007, "The timeout specified has expired").
#include "server/hcheck/hc_probe.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>

namespace balancerd::hcheck {
namespace {

using namespace std::chrono_literals;

// A loopback listener; with `full`, its queue (backlog 0) holds one connection of its own, so the
// kernel drops later SYNs and connects hang.
struct Listener {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int filler = -1;
  std::uint16_t port = 0;
  explicit Listener(bool full) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    ::listen(fd, full ? 0 : 8);
    if (full) {
      filler = ::socket(AF_INET, SOCK_STREAM, 0);
      ::connect(filler, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
  }
  ~Listener() {
    if (filler >= 0) ::close(filler);
    ::close(fd);
  }
};

HcProbeResult probe(HcProbeSpec spec) {
  boost::asio::io_context io;
  HcProbeResult out;
  bool done = false;
  start_probe(io, std::move(spec), [&](HcProbeResult& r) {
    out.outcome = r.outcome;
    out.os_error = r.os_error;
    done = true;
  });
  io.run_for(5s);
  EXPECT_TRUE(done);
  return out;
}

TEST(HcProbe, ConnectTimeoutIsAprTimeup) {
  Listener l(true);
  HcProbeSpec s;
  s.host = "127.0.0.1";
  s.port = l.port;
  s.connect_timeout = 200ms;
  const auto r = probe(s);
  EXPECT_EQ(r.outcome, HcProbeResult::Outcome::ConnectFailed);
  EXPECT_EQ(r.os_error, 70007);
}

TEST(HcProbe, ReadTimeoutIsAprTimeup) {
  Listener l(false); // accepts (in the kernel) but never answers
  HcProbeSpec s;
  s.host = "127.0.0.1";
  s.port = l.port;
  s.request = "GET / HTTP/1.0\r\n\r\n";
  s.io_timeout = 200ms;
  const auto r = probe(s);
  EXPECT_EQ(r.outcome, HcProbeResult::Outcome::NoAnswer);
  EXPECT_EQ(r.os_error, 70007);
}

TEST(HcProbe, RefusedKeepsItsErrno) {
  std::uint16_t port = 0;
  {
    Listener gone(false);
    port = gone.port;
  }
  HcProbeSpec s;
  s.host = "127.0.0.1";
  s.port = port;
  const auto r = probe(s);
  EXPECT_EQ(r.outcome, HcProbeResult::Outcome::ConnectFailed);
  EXPECT_EQ(r.os_error, ECONNREFUSED);
}

} // namespace
} // namespace balancerd::hcheck
