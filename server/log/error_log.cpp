#include "server/log/error_log.hpp"

#include <atomic>
#include <stdexcept>
#include <sys/syscall.h>
#include <unistd.h>

namespace balancerd::log {
namespace {

std::atomic<unsigned long> g_lines_formatted{0};

struct ThreadBuffers {
  fmt::memory_buffer message;
  std::string line;
};

ThreadBuffers& buffers() {
  thread_local ThreadBuffers b;
  return b;
}

void fill_process_fields(ErrorEvent& ev) {
  if (ev.when == std::chrono::system_clock::time_point{}) ev.when = std::chrono::system_clock::now();
  if (ev.pid == 0) ev.pid = static_cast<long>(::getpid());
  if (ev.tid == 0) {
    thread_local const long tid = static_cast<long>(::syscall(SYS_gettid));
    ev.tid = tid;
  }
}

} // namespace

ErrorLog::ErrorLog(std::shared_ptr<LogTarget> target, const std::optional<std::string>& format,
                   LevelTable levels, std::string server_name)
    : target_(std::move(target)), levels_(levels), server_name_(std::move(server_name)) {
  if (format && !format->empty()) {
    std::string error;
    custom_ = ErrorLineFormat::compile(*format, &error);
    if (!custom_) throw std::invalid_argument("ErrorLogFormat: " + error);
    format_ = &*custom_;
  } else {
    format_ =
        target_->is_syslog() ? &ErrorLineFormat::apache_syslog_default() : &ErrorLineFormat::apache_default();
  }
}

unsigned long ErrorLog::lines_formatted() {
  return g_lines_formatted.load(std::memory_order_relaxed);
}

void ErrorLog::write(ErrorEvent event, std::string_view message) const {
  fill_process_fields(event);
  if (event.server_name.empty()) event.server_name = server_name_;
  std::string& line = buffers().line;
  line.clear();
  format_->render(event, message, line);
  line += '\n';
  g_lines_formatted.fetch_add(1, std::memory_order_relaxed);
  target_->write(line, event.level);
}

void ErrorLog::write_vformat(ErrorEvent event, fmt::string_view format, fmt::format_args args) const {
  fmt::memory_buffer& message = buffers().message;
  message.clear();
  fmt::vformat_to(std::back_inserter(message), format, args);
  write(event, std::string_view(message.data(), message.size()));
}

} // namespace balancerd::log
