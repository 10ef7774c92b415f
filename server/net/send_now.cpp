#include "server/net/send_now.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace balancerd::net {

SendNow send_now(int fd, std::span<const iovec> iov, std::size_t& sent) {
  std::size_t total = 0;
  for (const auto& v : iov) total += v.iov_len;
  sent = 0;
  if (total == 0) return SendNow::Done;
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov.data());
  msg.msg_iovlen = iov.size();
  for (int tries = 0; tries < 8; ++tries) { // bounded: EINTR only repeats
    const ssize_t r = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r >= 0) {
      sent = static_cast<std::size_t>(r);
      return sent == total ? SendNow::Done : SendNow::Partial;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return SendNow::Partial;
    if (errno != EINTR) return SendNow::Failed;
  }
  return SendNow::Partial;
}

} // namespace balancerd::net
