#include "server/net/send_now.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace balancerd::net {

namespace {

// Gathered writes up to this size are copied into one buffer and sent with send(): on loopback TCP
// sendmsg's import of the msghdr and its iovecs costs more than copying a few KB (tools/bench/http/
// send_cost.cpp: a 250-byte head and a 1 KB body ~190 ns less per write, 4 KB bodies ~120 ns, even
// at 8 KB; at 16 KB the copy loses).
constexpr std::size_t kCopyLimit = 4096;

ssize_t send_once(int fd, std::span<const iovec> iov, std::size_t total) {
  constexpr int kFlags = MSG_NOSIGNAL | MSG_DONTWAIT;
  if (iov.size() == 1) return ::send(fd, iov[0].iov_base, total, kFlags);
  if (total <= kCopyLimit) {
    alignas(64) thread_local char flat[kCopyLimit];
    std::size_t at = 0;
    for (const auto& v : iov) {
      if (v.iov_len == 0) continue;
      std::memcpy(flat + at, v.iov_base, v.iov_len);
      at += v.iov_len;
    }
    return ::send(fd, flat, total, kFlags);
  }
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov.data());
  msg.msg_iovlen = iov.size();
  return ::sendmsg(fd, &msg, kFlags);
}

} // namespace

SendNow send_now(int fd, std::span<const iovec> iov, std::size_t& sent) {
  std::size_t total = 0;
  for (const auto& v : iov) total += v.iov_len;
  sent = 0;
  if (total == 0) return SendNow::Done;
  for (int tries = 0; tries < 8; ++tries) { // bounded: EINTR only repeats
    const ssize_t r = send_once(fd, iov, total);
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
