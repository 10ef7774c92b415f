// The privileged helper's own life (privileged_helper.hpp), in the child forked from the server.
//
// Why a plain fork and this restricted style, rather than forking before any thread starts or
// exec'ing /proc/self/exe with a hidden argument: run_server is also called by test programs
// (whose main() is GoogleTest's and may have threads), so neither "no thread yet" nor "our own
// main() sees the hidden argument" holds for every caller. A child forked from a threaded process
// may only make async-signal-safe calls (another thread may have held the malloc or stdio lock at
// the fork), so everything here uses fixed buffers on the stack, raw system calls and the few
// string functions POSIX lists as safe: no malloc, no C++ library, no locks. It never returns into
// the server's code: it _exits. What needs the configuration (whether a request is allowed) runs in
// a fresh process it execs, the validator (privileged_check.hpp), where malloc is fine again.
#include "server/lifecycle/privileged_check.hpp"
#include "server/lifecycle/privileged_helper_protocol.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace balancerd::lifecycle::helper_protocol {
namespace {

// The signals the server handles itself (and a terminal sends to the whole process group): the
// helper ignores them, so it ends only when the server does; its programs get them back.
constexpr int kServerSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGQUIT};

// Closes [lo, hi]; close_range(2), else one by one (bounded).
void close_range_of(int lo, unsigned hi) {
  if (::syscall(SYS_close_range, static_cast<unsigned>(lo), hi, 0) == 0) return;
  for (unsigned fd = static_cast<unsigned>(lo); fd < 65536 && fd <= hi; ++fd) ::close(static_cast<int>(fd));
}

// The programs this helper started and has not reaped: the only ones kStopLogger may signal.
constexpr int kMaxChildren = 1024;
struct Children {
  pid_t pids[kMaxChildren];
  int count = 0;

  bool add(pid_t pid) {
    if (count == kMaxChildren) return false;
    pids[count++] = pid;
    return true;
  }
  bool has(pid_t pid) const {
    for (int i = 0; i < count; ++i)
      if (pids[i] == pid) return true;
    return false;
  }
  void remove(pid_t pid) {
    for (int i = 0; i < count; ++i)
      if (pids[i] == pid) {
        pids[i] = pids[--count];
        return;
      }
  }
  // Exited programs are reaped here; until then their pid cannot be reused, so a kStopLogger for a
  // pid in the table always reaches our own program.
  void reap() {
    for (int i = 0; i < kMaxChildren; ++i) {
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, WNOHANG);
      if (pid <= 0) return;
      remove(pid);
    }
  }
};

const char* env_value(const char* name) {
  const std::size_t len = std::strlen(name);
  for (char** e = environ; e && *e; ++e)
    if (std::strncmp(*e, name, len) == 0 && (*e)[len] == '=') return *e + len + 1;
  return nullptr;
}

// argv[0] as execvp would find it: as given when it holds a '/', else the first executable file
// of that name in PATH. 0 or an errno.
int find_program(const char* name, char* out, std::size_t out_size) {
  const std::size_t name_len = std::strlen(name);
  if (name_len == 0) return ENOENT;
  if (std::strchr(name, '/')) {
    if (name_len + 1 > out_size) return ENAMETOOLONG;
    std::memcpy(out, name, name_len + 1);
    return 0;
  }
  const char* path = env_value("PATH");
  if (!path) path = "/bin:/usr/bin";
  int error = ENOENT;
  for (const char* p = path;;) {
    const char* end = std::strchr(p, ':');
    const std::size_t dir_len = end ? static_cast<std::size_t>(end - p) : std::strlen(p);
    // an empty entry is the working directory
    const char* dir = dir_len ? p : ".";
    const std::size_t dlen = dir_len ? dir_len : 1;
    if (dlen + 1 + name_len + 1 <= out_size) {
      std::memcpy(out, dir, dlen);
      out[dlen] = '/';
      std::memcpy(out + dlen + 1, name, name_len + 1);
      if (::access(out, X_OK) == 0) return 0;
      if (errno == EACCES) error = EACCES;
    }
    if (!end) break;
    p = end + 1;
  }
  return error;
}

// The validator's command line up to "--", captured before the fork (privileged_helper.cpp).
struct CheckCommand {
  char* const* argv;
  int argc;
};
constexpr int kCheckTimeoutMs = 60 * 1000;

struct ExecArgs {
  const char* path;
  char* const* argv;
  int fds[3];
  int error; // set by the child when exec fails
};

// The program's side of the spawn: runs in the helper's memory (CLONE_VM) until execve, so only
// system calls, and its failure reaches the helper through args->error.
int exec_program(void* p) {
  auto* args = static_cast<ExecArgs*>(p);
  for (int i = 0; i < 3; ++i)
    if (::dup2(args->fds[i], i) < 0) {
      args->error = errno;
      ::_exit(127);
    }
  close_range_of(3, ~0U);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s : kServerSignals) ::sigaction(s, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(args->path, args->argv, environ);
  args->error = errno;
  ::_exit(127);
}

// clone(CLONE_VM | CLONE_VFORK) on a stack of our own, as posix_spawn does (posix_spawn itself
// allocates for its file actions): the helper waits until the program has exec'd or failed.
alignas(16) char spawn_stack[64 * 1024];

// Runs the validator (privileged_check.hpp) for request `op` with `words`: 0 when the configuration
// allows it, else EPERM (also when it cannot be run: a request is refused unless shown allowed).
int check_request(const CheckCommand& check, const char* op, char* const* words, std::uint32_t nwords) {
  if (!check.argv || check.argc <= 0 || check.argc > kMaxCheckPrefix || nwords > kMaxArgs) return EPERM;
  char* argv[kMaxCheckPrefix + 1 + kMaxArgs + 1];
  int n = 0;
  for (int i = 0; i < check.argc; ++i) argv[n++] = check.argv[i];
  argv[n++] = const_cast<char*>(op);
  for (std::uint32_t i = 0; i < nwords; ++i) argv[n++] = words[i];
  argv[n] = nullptr;
  // its standard streams are the helper's (/dev/null): it prints nothing anyway
  ExecArgs args{argv[0], argv, {0, 1, 2}, 0};
  const pid_t pid =
      ::clone(exec_program, spawn_stack + sizeof spawn_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  if (pid < 0) return EPERM;
  int status = 0;
  if (args.error == 0) {
    // Bounded: a configuration that never finishes reading (an Include of a FIFO) refuses the
    // request after a minute instead of stopping the helper for good.
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      int ready;
      while ((ready = ::poll(&p, 1, kCheckTimeoutMs)) < 0 && errno == EINTR) {
      }
      if (ready <= 0) ::kill(pid, SIGKILL);
      ::close(pidfd);
    }
  }
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (args.error != 0) return EPERM;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : EPERM;
}

// The last request the validator allowed, and when: the same request again within kAllowedForMs
// is not checked again. The server retries a piped log whose program cannot start (a missing
// program) every 100 ms; without this, each retry would read the whole configuration. Static: too
// large for the stack.
constexpr long long kAllowedForMs = 2000;
struct LastAllowed {
  std::uint32_t op = 0;
  std::uint32_t argc = 0;
  std::uint32_t length = 0;
  long long at_ms = -1;
  char data[kMaxData];
};
LastAllowed last_allowed;

long long now_ms() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<long long>(t.tv_sec) * 1000 + t.tv_nsec / 1000000;
}

// check_request for the request `req` (its data `data`), unless it is the one allowed just before.
int check_recent(const CheckCommand& check, const Request& req, const char* data, const char* op,
                 char* const* words, std::uint32_t nwords) {
  const long long now = now_ms();
  if (last_allowed.at_ms >= 0 && now - last_allowed.at_ms < kAllowedForMs && last_allowed.op == req.op &&
      last_allowed.argc == req.argc && last_allowed.length == req.length &&
      std::memcmp(last_allowed.data, data, req.length) == 0)
    return 0;
  const int e = check_request(check, op, words, nwords);
  if (e == 0 && req.length <= kMaxData) {
    last_allowed.op = req.op;
    last_allowed.argc = req.argc;
    last_allowed.length = req.length;
    std::memcpy(last_allowed.data, data, req.length);
    last_allowed.at_ms = now_ms();
  }
  return e;
}

Reply spawn(const Request& req, char* data, const int* fds, int nfds, Children& children,
            const CheckCommand* check) {
  const std::uint32_t length = req.length;
  const std::uint32_t argc = req.argc;
  Reply r;
  if (nfds != 3 || argc == 0 || argc > kMaxArgs) {
    r.error = EINVAL;
    return r;
  }
  char* argv[kMaxArgs + 1];
  std::uint32_t words = 0;
  for (std::uint32_t at = 0; at < length && words < argc; ++words) {
    argv[words] = data + at;
    at += static_cast<std::uint32_t>(std::strlen(data + at)) + 1;
  }
  if (words != argc) {
    r.error = EINVAL;
    return r;
  }
  argv[argc] = nullptr;
  if (const int e = check ? check_recent(*check, req, data, kCheckSpawn, argv, argc) : 0) {
    r.error = e;
    return r;
  }
  char program[4096];
  if (const int e = find_program(argv[0], program, sizeof program)) {
    r.error = e;
    return r;
  }
  if (children.count == kMaxChildren) {
    r.error = EAGAIN;
    return r;
  }
  ExecArgs args{program, argv, {fds[0], fds[1], fds[2]}, 0};
  const pid_t pid =
      ::clone(exec_program, spawn_stack + sizeof spawn_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  if (pid < 0) {
    r.error = errno;
    return r;
  }
  if (args.error != 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.error = args.error;
    return r;
  }
  children.add(pid);
  r.pid = pid;
  return r;
}

// One reply, with `fd` attached when >= 0 (then closed here: the server has its own copy).
void send_reply(int socket, const Reply& reply, int fd) {
  iovec iov{const_cast<Reply*>(&reply), sizeof reply};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  while (::sendmsg(socket, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
  if (fd >= 0) ::close(fd);
}

} // namespace

void run_helper_process(int socket, const char* pid_file, char* const* check_argv, int check_argc) {
  const CheckCommand check{check_argv, check_argc};
  // Only the socket stays (above the standard streams); the standard streams become /dev/null, so
  // the helper never keeps a pipe of whoever started the server open.
  const int s = ::fcntl(socket, F_DUPFD_CLOEXEC, 3);
  if (s < 0) ::_exit(1);
  if (s > 3) close_range_of(3, static_cast<unsigned>(s - 1));
  close_range_of(s + 1, ~0U);
  const int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    for (int i = 0; i < 3; ++i)
      if (null != i) ::dup2(null, i);
    if (null > 2) ::close(null);
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  for (int sig : kServerSignals) ::sigaction(sig, &ignore, nullptr);
  ::sigaction(SIGPIPE, &ignore, nullptr);
  // exited programs stay zombies until reaped, so a pidfd can always be opened for a new one
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGCHLD, &dfl, nullptr);

  Children children;
  bool armed = false;
  // Until the server asks for checks it is root itself (start-up, before the privilege drop) and
  // could do all this without the helper: its requests are not checked then, so start-up pays for
  // no configuration read.
  bool checking = false;
  for (;;) {
    children.reap();
    pollfd p{s, POLLIN, 0};
    // woken at least twice a second to reap programs that exited
    const int ready = ::poll(&p, 1, 500);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;

    alignas(Request) char buf[sizeof(Request) + kMaxData + 1];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    iovec iov{buf, sizeof(Request) + kMaxData};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
    if (n == 0) break; // the server's end is closed: the server is gone
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    int fds[kMaxFds];
    int nfds = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (std::size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        if (nfds < kMaxFds)
          fds[nfds++] = fd;
        else
          ::close(fd);
      }
    }

    Reply reply;
    int reply_fd = -1;
    Request req;
    if (static_cast<std::size_t>(n) < sizeof req || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
      reply.error = EMSGSIZE;
    } else {
      std::memcpy(&req, buf, sizeof req);
      char* data = buf + sizeof req;
      const std::size_t length = static_cast<std::size_t>(n) - sizeof req;
      data[length] = '\0';
      if (req.length != length) {
        reply.error = EINVAL;
      } else if (req.op == kOpenLog || req.op == kOpenRuntime || req.op == kOpenReadOnly) {
        const int flags = req.op == kOpenReadOnly
                              ? O_RDONLY | O_CLOEXEC
                              : O_WRONLY | O_CREAT | O_CLOEXEC | (req.op == kOpenLog ? O_APPEND : 0);
        const char* op = req.op == kOpenLog       ? kCheckOpenLog
                         : req.op == kOpenRuntime ? kCheckOpenRuntime
                                                  : kCheckOpenRead;
        char* path[1] = {data};
        if (length == 0 || std::strlen(data) != length) {
          reply.error = EINVAL;
        } else if (const int e = checking ? check_recent(check, req, data, op, path, 1) : 0) {
          reply.error = e;
        } else {
          // 0666 less the umask the server had when it forked this helper: Apache's mode
          reply_fd = ::open(data, flags, 0666);
          if (reply_fd < 0) reply.error = errno;
        }
      } else if (req.op == kSpawnLogger) {
        reply = spawn(req, data, fds, nfds, children, checking ? &check : nullptr);
        if (reply.error == 0) {
          // a pidfd lets the server see the program end although it is not its parent
          reply_fd = static_cast<int>(::syscall(SYS_pidfd_open, reply.pid, 0));
        }
      } else if (req.op == kStopLogger) {
        if (req.pid > 0 && children.has(req.pid))
          ::kill(req.pid, SIGTERM);
        else
          reply.error = ESRCH;
      } else if (req.op == kArmPidFile) {
        armed = true;
      } else if (req.op == kRequireChecks) {
        // never undone: after this, only what the configuration names is done as root
        checking = true;
      } else {
        reply.error = EINVAL;
      }
    }
    for (int i = 0; i < nfds; ++i) ::close(fds[i]);
    send_reply(s, reply, reply_fd);
  }
  if (armed && pid_file && *pid_file) ::unlink(pid_file);
  ::_exit(0);
}

} // namespace balancerd::lifecycle::helper_protocol
