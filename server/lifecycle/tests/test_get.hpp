#pragma once
// The lifecycle tests' client: one GET on a fresh loopback connection, read to the close.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace balancerd::testing_support {

// A connected socket to 127.0.0.1:port whose reads give up after `read_timeout_s`; -1 when
// nothing accepts there.
inline int connect_loopback(unsigned short port, long read_timeout_s) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(s);
    return -1;
  }
  timeval tv{read_timeout_s, 0};
  ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return s;
}

// The whole answer (head and body); "" when nothing answers on the port.
inline std::string get(unsigned short port, const std::string& path) {
  int s = connect_loopback(port, 5);
  if (s < 0) return {};
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  (void)!::write(s, req.data(), req.size());
  std::string out;
  char buf[4096];
  for (int i = 0; i < 1000; ++i) {
    ssize_t n = ::read(s, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(s);
  return out;
}

} // namespace balancerd::testing_support
