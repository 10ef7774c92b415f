// spdlog is used header-only (the program links the C++ runtime statically and no libspdlog.so), on the same
// header-only fmt as the rest of bd_server. SPDLOG_PREVENT_CHILD_FD makes spdlog open its file O_CLOEXEC, as
// every other descriptor of ours, so piped-log programs do not inherit it. Only this file includes
// spdlog, so these macros cannot disagree between units.
#ifndef SPDLOG_HEADER_ONLY
#define SPDLOG_HEADER_ONLY
#endif
#ifndef SPDLOG_FMT_EXTERNAL
#define SPDLOG_FMT_EXTERNAL 1 // as Debian's tweakme.h has it (an identical redefinition)
#endif
#ifndef SPDLOG_PREVENT_CHILD_FD
#define SPDLOG_PREVENT_CHILD_FD
#endif

#include "server/log/file_target.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace balancerd::log {

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
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int err = errno;
    // Apache's texts: ap_log_error with the APR status in front.
    const std::string what = kind_ == LogKind::Error ? "AH00091: balancerd: could not open error log file "
                                                     : "AH00649: could not open transfer log file ";
    throw LogOpenError("(" + std::to_string(err) + ")" + std::strerror(err) + ": " + what + path_ + ".");
  }
  return fd;
}

std::shared_ptr<spdlog::sinks::sink> FileTarget::open_sink() const {
  // Our own open first: it creates the file with Apache's mode (0666 & ~umask; spdlog would use 0644), fails
  // with Apache's text, and fails where the directory is missing (spdlog's file helper would create the
  // directories). spdlog then opens the existing file "ab" (O_APPEND).
  const int fd = open_file();
  spdlog::file_event_handlers handlers;
  // Unbuffered stdio: each fwrite() of a finished line is then one write(2) on the O_APPEND descriptor, so a
  // line is never split across writes (a buffered FILE splits lines longer than its buffer, and lines of
  // several processes appending to one file could interleave).
  handlers.after_open = [](const spdlog::filename_t&, std::FILE* f) { std::setvbuf(f, nullptr, _IONBF, 0); };
  std::shared_ptr<spdlog::sinks::sink> sink;
  try {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path_, false, handlers);
  } catch (const spdlog::spdlog_ex&) {
    const int err = errno; // the failed open(2)'s, before close() may change it
    ::close(fd);
    throw LogOpenError("(" + std::to_string(err) + ")" + std::strerror(err) +
                       ": AH00091: balancerd: could not open error log file " + path_ + ".");
  }
  ::close(fd);
  // The line is already Apache's, '\n' included: the formatter adds nothing (no time, no eol).
  sink->set_formatter(
      std::make_unique<spdlog::pattern_formatter>("%v", spdlog::pattern_time_type::local, ""));
  return sink;
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
  ::dup2(fd, fd_); // clears FD_CLOEXEC on fd_: set it again
  ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
  ::close(fd);
}

} // namespace balancerd::log
