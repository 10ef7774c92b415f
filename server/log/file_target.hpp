#pragma once
// A log file opened O_APPEND: each write() of a whole line lands intact at the end even with many
// writers (threads, or an older generation still draining after a reload).
#include "server/log/log_target.hpp"

namespace balancerd::log {

class FileTarget : public LogTarget {
public:
  FileTarget(std::string path, LogKind kind); // throws LogOpenError
  ~FileTarget() override;
  FileTarget(const FileTarget&) = delete;
  FileTarget& operator=(const FileTarget&) = delete;

  void write(std::string_view lines, int level = -1) override;
  // Opens the path again and swaps the new file in under the same descriptor (dup2), so writers
  // never see a closed fd; a rotated-away file stops receiving lines.
  void reopen() override;
  const std::string& path() const { return path_; }

private:
  int open_file() const;
  std::string path_;
  LogKind kind_;
  int fd_ = -1;
};

// write() all of `data` to `fd`, retrying on EINTR and short writes; false on error.
bool write_all(int fd, std::string_view data);

} // namespace balancerd::log
