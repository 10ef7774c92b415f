// spdlog is used header-only (the program links the C++ runtime statically and no libspdlog.so), on the same
// header-only fmt as the rest of bd_server. Only this file includes spdlog, so these macros cannot disagree
// between units.
#ifndef SPDLOG_HEADER_ONLY
#define SPDLOG_HEADER_ONLY
#endif
#ifndef SPDLOG_FMT_EXTERNAL
#define SPDLOG_FMT_EXTERNAL 1 // as Debian's tweakme.h has it (an identical redefinition)
#endif

#include "server/log/file_target.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <unistd.h>

#include "server/lifecycle/privileged_helper.hpp"

namespace balancerd::log {

namespace {

// An spdlog sink on a descriptor we opened: ours, because the helper may be the one that opened it
// (spdlog's file sink opens by name, which a server running as User may not do), and because
// open(2)'s 0666 is Apache's mode (spdlog would create 0644) and a missing directory must fail (spdlog
// would create it). The line is already Apache's, '\n' included: it goes out as it is, in one write(2)
// on the O_APPEND descriptor, so nothing waits in a buffer and a line is never split across writes
// (lines of several processes appending to one file cannot interleave).
class AppendFdSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit AppendFdSink(int fd) : fd_(fd) {}
  ~AppendFdSink() override { ::close(fd_); }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    write_all(fd_, std::string_view(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

private:
  int fd_;
};

} // namespace

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

FileTarget::FileTarget(std::string path, LogKind kind) : path_(std::move(path)), kind_(kind) {
  if (kind_ == LogKind::Access)
    fd_ = open_file();
  else
    sink_.store(open_sink());
}

FileTarget::~FileTarget() {
  if (fd_ >= 0) ::close(fd_);
}

int FileTarget::open_file() const {
  // O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, 0666 & umask as apr_file_open: here, or by the privileged
  // helper once this process runs as User (a reload adding a log in a root-owned directory).
  const int fd = lifecycle::open_log_file(path_);
  if (fd < 0) {
    const int err = -fd;
    // Apache's texts: ap_log_error with the APR status in front.
    const std::string what = kind_ == LogKind::Error ? "AH00091: balancerd: could not open error log file "
                                                     : "AH00649: could not open transfer log file ";
    throw LogOpenError("(" + std::to_string(err) + ")" + std::strerror(err) + ": " + what + path_ + ".");
  }
  return fd;
}

std::shared_ptr<spdlog::sinks::sink> FileTarget::open_sink() const {
  return std::make_shared<AppendFdSink>(open_file());
}

void FileTarget::write(std::string_view lines, int) {
  if (kind_ == LogKind::Access) {
    write_all(fd_, lines);
    return;
  }
  const auto sink = sink_.load();
  const spdlog::details::log_msg msg(spdlog::string_view_t(), spdlog::level::info,
                                     spdlog::string_view_t(lines.data(), lines.size()));
  try {
    sink->log(msg);
    // Nothing may wait in a buffer: a crash keeps every line and tail -f sees each at once.
    sink->flush();
  } catch (const std::exception&) {
    // A full disk or a lost file drops the line, as our write(2) did; logging never throws.
  }
}

void FileTarget::reopen() {
  if (kind_ == LogKind::Error) {
    sink_.store(open_sink());
    return;
  }
  const int fd = open_file();
  ::dup3(fd, fd_, O_CLOEXEC); // atomically replaced: a writer never sees fd_ closed
  ::close(fd);
}

} // namespace balancerd::log
