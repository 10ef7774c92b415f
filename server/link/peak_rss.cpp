// peak_rss PROGRAM [ARGS...]: runs PROGRAM and prints "peak_rss_kib=N exit=M" on stderr, N being
// the child's peak resident set (wait4's ru_maxrss), as `/usr/bin/time -v` reports it. A separate
// small program because a child forked from a big parent (Python) starts with the parent's pages
// mapped, which ru_maxrss counts; from here the child starts with this program's few hundred KiB.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
    return 2;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return 2;
  }
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    std::perror(argv[1]);
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) < 0) {
    std::perror("wait4");
    return 2;
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::fprintf(stderr, "peak_rss_kib=%ld exit=%d\n", usage.ru_maxrss, code);
  return 0;
}
