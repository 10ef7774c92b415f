#include "server/log/file_target.hpp"

#include <cerrno>
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
  fd_ = open_file();
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

void FileTarget::write(std::string_view lines, int) {
  write_all(fd_, lines);
}

void FileTarget::reopen() {
  const int fd = open_file();
  ::dup2(fd, fd_); // clears FD_CLOEXEC on fd_: set it again
  ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
  ::close(fd);
}

} // namespace balancerd::log
