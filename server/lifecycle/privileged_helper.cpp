#include "server/lifecycle/privileged_helper.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "server/lifecycle/privileged_check.hpp"
#include "server/lifecycle/privileged_helper_protocol.hpp"

namespace balancerd::lifecycle {

namespace {

namespace proto = helper_protocol;

std::atomic<PrivilegedHelper*> current_helper{nullptr};

// The helper answers for a server that is no longer root; a root process opens its files itself.
PrivilegedHelper* helper_for_unprivileged() {
  return ::geteuid() != 0 ? current_helper.load() : nullptr;
}

// The helper refused a request (EPERM): the configuration it read does not name it. On stderr,
// which is the main error log once the server runs; the caller reports its own failure as well.
void report_refusal(const std::string& what) {
  const std::string line = "balancerd: the privileged helper refused to " + what +
                           " as root: the configuration does not name it\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

} // namespace

std::unique_ptr<PrivilegedHelper> PrivilegedHelper::start(const std::string& pid_file,
                                                          const std::string& check_binary,
                                                          const parser::ReadOptions& read) {
  if (::geteuid() != 0) return nullptr;
  // The validator's words, built here because the child may not allocate: it reads its copy of
  // these vectors' memory. Without a binary (or with an absurdly long command line) the child gets
  // none and refuses every checked request.
  std::vector<std::string> check_words;
  std::vector<char*> check_argv;
  if (!check_binary.empty()) {
    check_words = privileged_check_prefix(check_binary, read);
    if (check_words.size() <= static_cast<std::size_t>(proto::kMaxCheckPrefix))
      for (auto& w : check_words) check_argv.push_back(w.data());
  }
  int fds[2];
  // SEQPACKET: one request, one message; close-on-exec, so no program the server starts holds the
  // server's end open (the helper must see it close when the server goes).
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return nullptr;
  const char* path = pid_file.c_str(); // the child reads its copy of this memory, never allocates
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    proto::run_helper_process(fds[1], path, check_argv.empty() ? nullptr : check_argv.data(),
                              static_cast<int>(check_argv.size()));
  }
  ::close(fds[1]);
  if (child < 0) {
    ::close(fds[0]);
    return nullptr;
  }
  return std::unique_ptr<PrivilegedHelper>(new PrivilegedHelper(fds[0], child));
}

PrivilegedHelper::~PrivilegedHelper() {
  ::close(socket_);
  // It sees the end of the socket at once; 2 s bounds a helper stuck in a slow unlink.
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) != 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::optional<PrivilegedHelper::Reply> PrivilegedHelper::call(unsigned op, const std::string& data,
                                                              unsigned argc, const int* fds, int nfds,
                                                              pid_t pid) {
  Reply out;
  if (data.size() > proto::kMaxData || nfds > proto::kMaxFds) {
    out.error = op == proto::kSpawnLogger ? E2BIG : ENAMETOOLONG;
    return out;
  }
  proto::Request req;
  req.op = op;
  req.argc = argc;
  req.pid = pid;
  req.length = static_cast<std::uint32_t>(data.size());
  iovec iov[2] = {{&req, sizeof req}, {const_cast<char*>(data.data()), data.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = data.empty() ? 1 : 2;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * proto::kMaxFds)];
  if (nfds > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * static_cast<std::size_t>(nfds));
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * static_cast<std::size_t>(nfds));
    std::memcpy(CMSG_DATA(c), fds, sizeof(int) * static_cast<std::size_t>(nfds));
  }

  std::lock_guard lock(mutex_);
  ssize_t n;
  while ((n = ::sendmsg(socket_, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (n < 0) return std::nullopt;

  proto::Reply reply;
  iovec riov{&reply, sizeof reply};
  alignas(cmsghdr) char rcontrol[CMSG_SPACE(sizeof(int))];
  msghdr rmsg{};
  rmsg.msg_iov = &riov;
  rmsg.msg_iovlen = 1;
  rmsg.msg_control = rcontrol;
  rmsg.msg_controllen = sizeof rcontrol;
  while ((n = ::recvmsg(socket_, &rmsg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof reply)) return std::nullopt;
  for (cmsghdr* c = CMSG_FIRSTHDR(&rmsg); c; c = CMSG_NXTHDR(&rmsg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
      std::memcpy(&out.fd, CMSG_DATA(c), sizeof out.fd);
  out.error = reply.error;
  out.pid = reply.pid;
  return out;
}

std::optional<int> PrivilegedHelper::open_log(const std::string& path) {
  auto r = call(proto::kOpenLog, path, 0, nullptr, 0);
  if (!r) return std::nullopt;
  if (r->error == EPERM) report_refusal("open the log file '" + path + "'");
  return r->fd >= 0 ? r->fd : -(r->error ? r->error : EIO);
}

std::optional<int> PrivilegedHelper::open_runtime_file(const std::string& path) {
  auto r = call(proto::kOpenRuntime, path, 0, nullptr, 0);
  if (!r) return std::nullopt;
  if (r->error == EPERM) report_refusal("open the runtime file '" + path + "'");
  return r->fd >= 0 ? r->fd : -(r->error ? r->error : EIO);
}

std::optional<int> PrivilegedHelper::open_read(const std::string& path) {
  auto r = call(proto::kOpenReadOnly, path, 0, nullptr, 0);
  if (!r) return std::nullopt;
  if (r->error == EPERM) report_refusal("read the file '" + path + "'");
  return r->fd >= 0 ? r->fd : -(r->error ? r->error : EIO);
}

std::optional<SpawnedLogger> PrivilegedHelper::spawn_logger(const std::vector<std::string>& argv,
                                                            int stdin_fd, int stdout_fd, int stderr_fd) {
  SpawnedLogger s;
  if (argv.empty() || argv.size() > proto::kMaxArgs) {
    s.error = argv.empty() ? ENOENT : E2BIG;
    return s;
  }
  std::string words;
  for (const auto& a : argv) {
    words += a;
    words += '\0';
  }
  // a closed standard stream (nothing to pass on) becomes /dev/null, as the helper's own are
  int fds[3] = {stdin_fd, stdout_fd, stderr_fd};
  int null = -1;
  for (int& fd : fds)
    if (::fcntl(fd, F_GETFD) < 0) {
      if (null < 0) null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
      fd = null;
    }
  auto r = call(proto::kSpawnLogger, words, static_cast<unsigned>(argv.size()), fds, 3);
  if (null >= 0) ::close(null);
  if (!r) return std::nullopt;
  if (r->error == EPERM) report_refusal("start the program '" + argv[0] + "'");
  s.error = r->error;
  s.pid = r->error ? -1 : r->pid;
  s.pidfd = r->fd;
  return s;
}

void PrivilegedHelper::stop_logger(pid_t pid) {
  call(proto::kStopLogger, {}, 0, nullptr, 0, pid);
}

bool PrivilegedHelper::arm_pid_file() {
  auto r = call(proto::kArmPidFile, {}, 0, nullptr, 0);
  return r && r->error == 0;
}

bool PrivilegedHelper::require_checks() {
  auto r = call(proto::kRequireChecks, {}, 0, nullptr, 0);
  return r && r->error == 0;
}

void PrivilegedHelper::install(PrivilegedHelper* helper) {
  current_helper.store(helper);
}

PrivilegedHelper* PrivilegedHelper::installed() {
  return current_helper.load();
}

int open_log_file(const std::string& path) {
  if (auto* h = helper_for_unprivileged())
    if (auto fd = h->open_log(path)) return *fd;
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  return fd >= 0 ? fd : -errno;
}

int open_runtime_file(const std::string& path) {
  if (auto* h = helper_for_unprivileged())
    if (auto fd = h->open_runtime_file(path)) return *fd;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  return fd >= 0 ? fd : -errno;
}

int open_read_file(const std::string& path) {
  if (auto* h = helper_for_unprivileged())
    if (auto fd = h->open_read(path)) return *fd;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  return fd >= 0 ? fd : -errno;
}

} // namespace balancerd::lifecycle
