#pragma once
// A piped log ("|program", "||program" without a shell, "|$program" through /bin/sh), as Apache's:
// spawned once, fed on its stdin, restarted when it dies (AH00106 on stderr). The parent keeps both
// ends of the pipe open, so lines written while the program restarts wait in the pipe instead of
// being lost or raising SIGPIPE.
// Apache's root parent starts (and restarts) its piped loggers, so they run as root. When the
// server started as root, the privileged helper (server/lifecycle/privileged_helper.hpp) starts
// them, so they do here too, also on a reload and after a restart; else this process does.
#include "server/log/log_target.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace balancerd::log {

class PipedLog : public LogTarget {
public:
  // `spec` as written after ErrorLog/CustomLog, starting with '|'. Throws LogOpenError.
  explicit PipedLog(std::string_view spec);
  // Closes the pipe (the program sees EOF), waits for it up to 2 s, then SIGTERM.
  ~PipedLog() override;
  PipedLog(const PipedLog&) = delete;
  PipedLog& operator=(const PipedLog&) = delete;

  void write(std::string_view lines, int level = -1) override;

  pid_t pid() const { return pid_.load(); }
  unsigned restarts() const { return restarts_.load(); }
  const std::string& command() const { return command_; }

  // argv for the program: split as apr_tokenize_to_argv does (whitespace, quotes, backslash), or
  // {"/bin/sh", "-c", command} for "|$".
  static std::vector<std::string> program_argv(std::string_view spec);

private:
  void spawn();
  void monitor();
  bool program_ended(); // the running program (not) exited, whoever its parent is

  std::string command_; // without the leading "|", "||" or "|$"
  std::vector<std::string> argv_;
  int read_fd_ = -1, write_fd_ = -1;
  std::atomic<pid_t> pid_{-1};
  // Started by the privileged helper: not our child, so its end is seen on a pidfd (or by kill(0)).
  bool via_helper_ = false;
  int pidfd_ = -1;
  std::atomic<unsigned> restarts_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread monitor_;
};

} // namespace balancerd::log
