// send_now: every shape of gathered write (one piece, small pieces that are copied into one buffer,
// pieces beyond the copy limit) reaches the peer whole and in order; a full socket reports Partial
// with the bytes it took, a closed peer Failed with errno set.
#include "server/net/send_now.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

namespace balancerd::net {
namespace {

struct Pair {
  int fd[2] = {-1, -1};
  Pair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0); }
  ~Pair() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  // Reads what is queued on the second end (nonblocking, bounded).
  std::string drain() {
    std::string got;
    char buf[65536];
    for (int i = 0; i < 1000; ++i) {
      const ssize_t n = ::recv(fd[1], buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
  }
};

iovec piece(const std::string& s) {
  return {const_cast<char*>(s.data()), s.size()};
}

std::string pattern(std::size_t n, char seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + static_cast<char>(i % 23));
  return s;
}

TEST(SendNow, OnePieceGoesOutWhole) {
  Pair p;
  const std::string a = pattern(200, 'a');
  const iovec iov[] = {piece(a)};
  std::size_t sent = 99;
  EXPECT_EQ(send_now(p.fd[0], iov, sent), SendNow::Done);
  EXPECT_EQ(sent, a.size());
  EXPECT_EQ(p.drain(), a);
}

TEST(SendNow, SmallPiecesArriveInOrderAroundAnEmptyOne) {
  Pair p;
  const std::string head = pattern(250, 'h'), empty, body = pattern(1024, 'b'), tail = "\r\n0\r\n\r\n";
  const iovec iov[] = {piece(head), piece(empty), piece(body), piece(tail)};
  std::size_t sent = 0;
  EXPECT_EQ(send_now(p.fd[0], iov, sent), SendNow::Done);
  EXPECT_EQ(sent, head.size() + body.size() + tail.size());
  EXPECT_EQ(p.drain(), head + body + tail);
}

TEST(SendNow, PiecesAtAndBeyondTheCopyLimitArriveInOrder) {
  for (std::size_t second : {4096u - 100u, 4096u - 99u, 9000u}) {
    Pair p;
    const std::string a = pattern(100, 'x'), b = pattern(second, 'y');
    const iovec iov[] = {piece(a), piece(b)};
    std::size_t sent = 0;
    EXPECT_EQ(send_now(p.fd[0], iov, sent), SendNow::Done) << second;
    EXPECT_EQ(sent, a.size() + b.size());
    EXPECT_EQ(p.drain(), a + b) << second;
  }
}

TEST(SendNow, NothingToSendIsDone) {
  Pair p;
  std::size_t sent = 7;
  EXPECT_EQ(send_now(p.fd[0], std::span<const iovec>(), sent), SendNow::Done);
  EXPECT_EQ(sent, 0u);
}

TEST(SendNow, AFullSocketTakesPartOfTheWrite) {
  Pair p;
  const int small = 4096;
  ::setsockopt(p.fd[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  const std::string a = pattern(100, 'p'), b = pattern(4 << 20, 'q');
  const iovec iov[] = {piece(a), piece(b)};
  std::size_t sent = 0;
  EXPECT_EQ(send_now(p.fd[0], iov, sent), SendNow::Partial);
  EXPECT_GT(sent, 0u);
  EXPECT_LT(sent, a.size() + b.size());
  // Full now (nothing read yet): a small write takes nothing.
  const iovec more[] = {piece(a)};
  std::size_t none = 1;
  EXPECT_EQ(send_now(p.fd[0], more, none), SendNow::Partial);
  EXPECT_EQ(none, 0u);
  EXPECT_EQ(p.drain(), (a + b).substr(0, sent));
}

TEST(SendNow, AClosedPeerFailsWithoutSignal) {
  for (std::size_t pieces : {1u, 2u}) {
    Pair p;
    ::close(p.fd[1]);
    p.fd[1] = -1;
    const std::string a = pattern(10, 'c');
    const iovec iov[] = {piece(a), piece(a)};
    std::size_t sent = 5;
    errno = 0;
    EXPECT_EQ(send_now(p.fd[0], std::span<const iovec>(iov, pieces), sent), SendNow::Failed);
    EXPECT_EQ(errno, EPIPE);
    EXPECT_EQ(sent, 0u);
  }
}

} // namespace
} // namespace balancerd::net
