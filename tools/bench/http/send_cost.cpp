// The kernel's cost of the write system calls send_now (server/net/send_now.cpp) can use on a loopback
// TCP socket: a backend request head (one ~200-byte piece) by send() and by sendmsg() of one iovec,
// and a client response (a ~250-byte head and a 1 KB body) by sendmsg() of two iovecs and by copying
// the body behind the head and send()ing the one buffer. Each round writes on one end of a
// connection, timing only the write, then drains the other end; the variants take turns round by
// round so drift (other load on the machine) hits them alike. Prints the median and the mean of the
// fastest 90% of each variant's writes, in nanoseconds.
//
//   g++ -O2 -std=c++20 -o /tmp/send_cost tools/bench/http/send_cost.cpp
//   taskset -c 0 /tmp/send_cost [rounds] [body bytes (1024)]
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "syscall_cost.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

using syscall_cost::connected_pair;
using syscall_cost::now_ns;

enum Variant { kSendHead, kSendmsgHead, kSendmsgTwo, kCopySend, kVariants };
const char* const kNames[kVariants] = {"send(head)", "sendmsg(head)", "sendmsg(head,body)", "copy+send"};

const std::string kHead(200, 'h');
const std::string kRespHead(250, 'r');
std::string kBody(1024, 'b'); // argv[2] sets its size

ssize_t write_once(Variant v, int fd, std::string& scratch) {
  constexpr int flags = MSG_NOSIGNAL | MSG_DONTWAIT;
  switch (v) {
  case kSendHead:
    return ::send(fd, kHead.data(), kHead.size(), flags);
  case kSendmsgHead:
  case kSendmsgTwo: {
    iovec iov[2] = {{const_cast<char*>(kHead.data()), kHead.size()}, {}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = 1;
    if (v == kSendmsgTwo) {
      iov[0] = {const_cast<char*>(kRespHead.data()), kRespHead.size()};
      iov[1] = {const_cast<char*>(kBody.data()), kBody.size()};
      msg.msg_iovlen = 2;
    }
    return ::sendmsg(fd, &msg, flags);
  }
  case kCopySend:
    scratch.assign(kRespHead);
    scratch.append(kBody);
    return ::send(fd, scratch.data(), scratch.size(), flags);
  default:
    return -1;
  }
}

std::size_t expected(Variant v) {
  return v == kSendHead || v == kSendmsgHead ? kHead.size() : kRespHead.size() + kBody.size();
}

} // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1000, std::atoi(argv[1])) : 200000;
  if (argc > 2) kBody.assign(static_cast<std::size_t>(std::max(1, std::atoi(argv[2]))), 'b');
  int fds[kVariants][2];
  for (auto& p : fds) connected_pair(p[0], p[1]);
  std::string scratch;
  scratch.reserve(4096);
  std::vector<char> buf(kBody.size() + 16 * 1024);
  std::vector<long long> took[kVariants];
  for (auto& t : took) t.reserve(rounds);
  for (int r = 0; r < rounds; ++r) {
    for (int v = 0; v < kVariants; ++v) {
      const long long t0 = now_ns();
      const ssize_t n = write_once(static_cast<Variant>(v), fds[v][0], scratch);
      const long long t1 = now_ns();
      if (n != static_cast<ssize_t>(expected(static_cast<Variant>(v)))) {
        std::fprintf(stderr, "%s wrote %zd (errno %d)\n", kNames[v], n, errno);
        return 1;
      }
      // The loopback write has queued the bytes on the receiver by the time it returns.
      if (::recv(fds[v][1], buf.data(), buf.size(), MSG_DONTWAIT) != n) {
        std::perror("recv");
        return 1;
      }
      took[v].push_back(t1 - t0);
    }
  }
  std::printf("%d rounds, %zu-byte body\n", rounds, kBody.size());
  for (int v = 0; v < kVariants; ++v) syscall_cost::print_summary(kNames[v], 20, took[v]);
}
