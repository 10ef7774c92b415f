#pragma once
// The test backends' listening socket on loopback (backend_tests, and proxy_tests' TLS WebSocket
// backend). Plain POSIX, independent of the code under test.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>

namespace balancerd::backend::testing {

// A TCP socket bound to 127.0.0.1 on an ephemeral port (SO_REUSEADDR unless reuse_addr is false),
// not listening yet; the port it got goes to `port`.
inline int bind_loopback(std::uint16_t& port, bool reuse_addr = true) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  if (reuse_addr) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

} // namespace balancerd::backend::testing
