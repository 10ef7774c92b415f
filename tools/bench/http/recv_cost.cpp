// The kernel's cost of the read system calls balancerd can use on a loopback TCP socket holding one
// 1 KB message: recv(), recvmsg() without control data, and recvmsg() with TCP_INQ's control message
// (what drained_read.hpp used before it registered EPOLLRDHUP instead). Each round sends 1 KB on one
// end of a connection and times only the read on the other end; the variants take turns round by
// round so drift (other load on the machine) hits them alike. Prints the median and the mean of the
// fastest 90% of each variant's reads, in nanoseconds.
//
//   g++ -O2 -std=c++20 -o /tmp/recv_cost tools/bench/http/recv_cost.cpp -lpthread
//   taskset -c 0 /tmp/recv_cost [rounds] [--idle-thread]
// --idle-thread starts a second thread that only sleeps: socket calls of a multi-threaded process take
// and drop a file reference (balancerd's io thread shares its process with the main thread).
#include "syscall_cost.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using syscall_cost::connected_pair;
using syscall_cost::now_ns;

enum Variant { kRecv, kRecvmsg, kRecvmsgInq, kVariants };
const char* const kNames[kVariants] = {"recv", "recvmsg", "recvmsg+TCP_INQ"};

ssize_t read_once(Variant v, int fd, char* buf, std::size_t size) {
  if (v == kRecv) return ::recv(fd, buf, size, MSG_DONTWAIT);
  iovec iov{buf, size};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (v == kRecvmsgInq) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
  }
  return ::recvmsg(fd, &msg, MSG_DONTWAIT);
}

} // namespace

int main(int argc, char** argv) {
  int rounds = 200000;
  bool idle_thread = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--idle-thread") == 0)
      idle_thread = true;
    else
      rounds = std::max(1000, std::atoi(argv[i]));
  }
  std::thread idle;
  if (idle_thread) idle = std::thread([] { ::pause(); });

  int fds[kVariants][2];
  for (auto& p : fds) connected_pair(p[0], p[1]);
  const int one = 1;
  ::setsockopt(fds[kRecvmsgInq][1], SOL_TCP, TCP_INQ, &one, sizeof one);

  const std::string message(1024, 'm');
  std::vector<char> buf(16 * 1024);
  std::vector<long long> took[kVariants];
  for (auto& t : took) t.reserve(rounds);
  for (int r = 0; r < rounds; ++r) {
    for (int v = 0; v < kVariants; ++v) {
      if (::send(fds[v][0], message.data(), message.size(), 0) != static_cast<ssize_t>(message.size())) {
        std::perror("send");
        return 1;
      }
      // The loopback send has queued the bytes on the receiver by the time it returns.
      const long long t0 = now_ns();
      const ssize_t n = read_once(static_cast<Variant>(v), fds[v][1], buf.data(), buf.size());
      const long long t1 = now_ns();
      if (n != static_cast<ssize_t>(message.size())) {
        std::fprintf(stderr, "%s read %zd (errno %d)\n", kNames[v], n, errno);
        return 1;
      }
      took[v].push_back(t1 - t0);
    }
  }
  std::printf("%d rounds of 1 KB, %s\n", rounds, idle_thread ? "two threads" : "one thread");
  for (int v = 0; v < kVariants; ++v) syscall_cost::print_summary(kNames[v], 16, took[v]);
  if (idle_thread) {
    std::fflush(stdout);
    idle.detach();
    std::_Exit(0);
  }
}
