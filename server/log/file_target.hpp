#pragma once
// A log file opened O_APPEND: each write() of a whole line lands intact at the end even with many
// writers (threads, or an older generation still draining after a reload).
#include "server/log/log_target.hpp"

#include <atomic>
#include <memory>

// spdlog stays out of this header (it is included all over the server): only file_target.cpp
// knows the sink's type.
namespace spdlog::sinks {
class sink;
} // namespace spdlog::sinks

namespace balancerd::log {

class FileTarget : public LogTarget {
public:
  FileTarget(std::string path, LogKind kind); // throws LogOpenError
  ~FileTarget() override;
  FileTarget(const FileTarget&) = delete;
  FileTarget& operator=(const FileTarget&) = delete;

  void write(std::string_view lines, int level = -1) override;
  // Opens the path again; a rotated-away file stops receiving lines. Access logs swap the new file in under
  // the same descriptor (dup2), so writers never see a closed fd; error logs swap in a new sink, and a writer
  // still holding the old one finishes its line there.
  void reopen() override;
  const std::string& path() const { return path_; }

private:
  int open_file() const;
  std::shared_ptr<spdlog::sinks::sink> open_sink() const;
  std::string path_;
  LogKind kind_;
  // Access logs (the hot path): our own write() on this descriptor.
  int fd_ = -1;
  // Error logs: an spdlog file sink that gets the finished Apache-format line.
  std::atomic<std::shared_ptr<spdlog::sinks::sink>> sink_;
};

// write() all of `data` to `fd`, retrying on EINTR and short writes; false on error.
bool write_all(int fd, std::string_view data);

} // namespace balancerd::log
