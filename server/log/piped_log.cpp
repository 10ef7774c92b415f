#include "server/log/piped_log.hpp"

#include "server/lifecycle/privileged_helper.hpp"
#include "server/log/file_target.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace balancerd::log {
namespace {

std::string_view command_of(std::string_view spec, bool& shell) {
  shell = false;
  if (spec.starts_with("|$")) {
    shell = true;
    spec.remove_prefix(2);
  } else if (spec.starts_with("||")) {
    spec.remove_prefix(2);
  } else if (spec.starts_with("|")) {
    spec.remove_prefix(1);
  }
  while (!spec.empty() && (spec.front() == ' ' || spec.front() == '\t')) spec.remove_prefix(1);
  return spec;
}

} // namespace

std::vector<std::string> PipedLog::program_argv(std::string_view spec) {
  bool shell = false;
  const std::string_view cmd = command_of(spec, shell);
  if (shell) return {"/bin/sh", "-c", std::string(cmd)};
  std::vector<std::string> argv;
  std::size_t i = 0;
  while (i < cmd.size()) {
    while (i < cmd.size() && (cmd[i] == ' ' || cmd[i] == '\t')) ++i;
    if (i >= cmd.size()) break;
    std::string word;
    char quote = 0;
    if (cmd[i] == '"' || cmd[i] == '\'') quote = cmd[i++];
    while (i < cmd.size()) {
      const char c = cmd[i];
      if (quote ? c == quote : (c == ' ' || c == '\t')) {
        if (quote) ++i;
        break;
      }
      if (c == '\\' && i + 1 < cmd.size()) {
        word += cmd[i + 1];
        i += 2;
        continue;
      }
      word += c;
      ++i;
    }
    argv.push_back(std::move(word));
  }
  return argv;
}

PipedLog::PipedLog(std::string_view spec) {
  bool shell = false;
  command_ = std::string(command_of(spec, shell));
  argv_ = program_argv(spec);
  if (argv_.empty()) throw LogOpenError("AH00104: unable to start piped log program '" + command_ + "'");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    const int err = errno;
    throw LogOpenError("(" + std::to_string(err) + ")" + std::strerror(err) +
                       ": AH00104: unable to start piped log program '" + command_ + "'");
  }
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  spawn();
  monitor_ = std::thread([this] { monitor(); });
}

PipedLog::~PipedLog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  monitor_.join();
  ::close(write_fd_);
  ::close(read_fd_);
  const pid_t pid = pid_.load();
  if (pid > 0) {
    // The program exits on EOF; give it 2 s (bounded), then ask harder.
    bool ended = false;
    for (int i = 0; i < 200 && !ended; ++i) {
      ended = via_helper_ ? program_ended() : ::waitpid(pid, nullptr, WNOHANG) != 0;
      if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!ended && !via_helper_) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    } else if (!ended) {
      // a root program: only its parent, the helper, may signal it (and reaps it)
      if (auto* helper = lifecycle::PrivilegedHelper::installed()) helper->stop_logger(pid);
    }
  }
  if (pidfd_ >= 0) ::close(pidfd_);
}

void PipedLog::spawn() {
  if (pidfd_ >= 0) ::close(pidfd_);
  pidfd_ = -1;
  via_helper_ = false;
  if (auto* helper = lifecycle::PrivilegedHelper::installed()) {
    // The helper, root, is the program's parent as Apache's root parent is (nullopt: it is gone,
    // start the program here).
    if (auto s = helper->spawn_logger(argv_, read_fd_, STDOUT_FILENO, STDERR_FILENO)) {
      if (s->error != 0) {
        std::fprintf(stderr, "(%d)%s: AH00104: unable to start piped log program '%s'\n", s->error,
                     std::strerror(s->error), command_.c_str());
        pid_.store(-1);
        return;
      }
      via_helper_ = true;
      pidfd_ = s->pidfd;
      pid_.store(s->pid);
      return;
    }
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, read_fd_, STDIN_FILENO); // dup2 clears CLOEXEC
  // The server's threads block the signals it waits for: the program starts with none blocked and
  // default handling, so it can be stopped.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGQUIT}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (std::string& a : argv_) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    // Like a program that exits at once: the monitor retries.
    std::fprintf(stderr, "(%d)%s: AH00104: unable to start piped log program '%s'\n", rc, std::strerror(rc),
                 command_.c_str());
    pid_.store(-1);
    return;
  }
  pid_.store(pid);
}

bool PipedLog::program_ended() {
  const pid_t pid = pid_.load();
  if (pid <= 0) return true;
  if (!via_helper_) {
    int status = 0;
    return ::waitpid(pid, &status, WNOHANG) == pid;
  }
  if (pidfd_ >= 0) {
    pollfd p{pidfd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }
  // no pidfd (an old kernel): the helper reaps its programs within half a second, then the pid is gone
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

void PipedLog::monitor() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    // Apache's maintenance checks its piped loggers about once a second; 100 ms keeps losses short.
    cv_.wait_for(lock, std::chrono::milliseconds(100));
    if (stop_) break;
    const pid_t pid = pid_.load();
    if (!program_ended()) continue;
    if (pid > 0)
      std::fprintf(stderr, "AH00106: piped log program '%s' failed unexpectedly\n", command_.c_str());
    restarts_.fetch_add(1);
    spawn();
  }
}

void PipedLog::write(std::string_view lines, int) {
  // Both pipe ends stay open in this process, so no EPIPE/SIGPIPE even while the program restarts.
  write_all(write_fd_, lines);
}

} // namespace balancerd::log
