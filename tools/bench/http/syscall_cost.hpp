#pragma once
// What the system-call microbenchmarks (recv_cost.cpp, send_cost.cpp) share: a clock, a connected
// loopback TCP pair with TCP_NODELAY on both ends (as balancerd's sockets), and the summary of each
// variant's timings (median and mean of the fastest 90%: the slowest tenth is preemption, not cost).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

namespace syscall_cost {

inline long long now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

inline void connected_pair(int& a, int& b) {
  const int l = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (l < 0 || ::bind(l, reinterpret_cast<sockaddr*>(&addr), sizeof addr) || ::listen(l, 1) ||
      ::getsockname(l, reinterpret_cast<sockaddr*>(&addr), &len)) {
    std::perror("listen");
    std::exit(1);
  }
  a = ::socket(AF_INET, SOCK_STREAM, 0);
  if (a < 0 || ::connect(a, reinterpret_cast<sockaddr*>(&addr), sizeof addr)) {
    std::perror("connect");
    std::exit(1);
  }
  b = ::accept(l, nullptr, nullptr);
  ::close(l);
  const int one = 1;
  ::setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Sorts `took` and prints one line: the variant's name padded to `width`, its median, and the mean of
// its fastest 90%, in nanoseconds.
inline void print_summary(const char* name, int width, std::vector<long long>& took) {
  std::sort(took.begin(), took.end());
  const std::size_t keep = took.size() * 9 / 10;
  long long sum = 0;
  for (std::size_t i = 0; i < keep; ++i) sum += took[i];
  std::printf("  %-*s median %5lld ns   mean of fastest 90%% %5lld ns\n", width, name, took[took.size() / 2],
              sum / static_cast<long long>(keep));
}

} // namespace syscall_cost
