#include "server/lifecycle/detach.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace balancerd::lifecycle {

std::optional<int> Detach::fork_and_wait() {
  int fds[2];
  // close-on-exec: piped-log programs the child starts must not keep the parent waiting
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::cerr << "(" << errno << ")" << std::strerror(errno) << ": AH00063: unable to detach from terminal"
              << std::endl;
    return 1;
  }
  std::cout.flush();
  std::cerr.flush();
  const pid_t child = ::fork();
  if (child < 0) {
    std::cerr << "(" << errno << ")" << std::strerror(errno) << ": AH00063: unable to detach from terminal"
              << std::endl;
    ::close(fds[0]);
    ::close(fds[1]);
    return 1;
  }
  if (child == 0) {
    ::close(fds[0]);
    ready_fd_ = fds[1];
    ::setsid();
    // stdin and stdout are done with now (nothing the daemon or its piped-log programs write
    // should reach the caller's output); stderr stays until serving() for startup errors
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      if (null > 1) ::close(null);
    }
    if (::chdir("/") != 0) {
      // nothing depends on the working directory: paths in the config are absolute by then
    }
    return std::nullopt;
  }
  ::close(fds[1]);
  char byte = 0;
  ssize_t n;
  do {
    n = ::read(fds[0], &byte, 1);
  } while (n < 0 && errno == EINTR);
  ::close(fds[0]);
  if (n == 1) return 0; // serving; the child goes on alone
  // The child ended (or closed the pipe) before serving: its status is the command's.
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return 1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 1;
}

void Detach::serving(int stderr_fd) {
  if (ready_fd_ < 0) {
    if (stderr_fd >= 0) ::close(stderr_fd);
    return;
  }
  const int target = stderr_fd >= 0 ? stderr_fd : ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (target >= 0) {
    ::dup2(target, 2); // dup2 clears close-on-exec on fd 2
    ::close(target);
  }
  const char byte = 'r';
  ssize_t n;
  do {
    n = ::write(ready_fd_, &byte, 1);
  } while (n < 0 && errno == EINTR);
  ::close(ready_fd_);
  ready_fd_ = -1;
}

} // namespace balancerd::lifecycle
