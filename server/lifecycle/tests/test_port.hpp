#pragma once
// A loopback port for a server under test, held for the whole test. The kernel picks a free port
// (bind to port 0) and this socket keeps it bound, with SO_REUSEPORT and without listening, so no
// other test that asks the kernel for a free port gets it, while the server (which binds with
// SO_REUSEPORT too) still can. Connections only go to listening sockets, so all reach the server.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace balancerd::testing_support {

class ReservedPort {
public:
  ReservedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      socklen_t len = sizeof a;
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
      port_ = ntohs(a.sin_port);
    }
  }
  ~ReservedPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  ReservedPort(const ReservedPort&) = delete;
  ReservedPort& operator=(const ReservedPort&) = delete;

  unsigned short port() const { return port_; }

private:
  int fd_ = -1;
  unsigned short port_ = 0;
};

} // namespace balancerd::testing_support
