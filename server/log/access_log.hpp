#pragma once
// One CustomLog/TransferLog/GlobalLog: its compiled format, its condition and its destination. log()
// is called once per finished request from any thread.
//
// Unbuffered (Apache's default), a line is rendered in a thread-local buffer and written with one
// write(). With BufferedLogs On each thread appends to its own buffer (no shared lock on the request
// path), written out when it reaches kBufferSize, when flush_older_than() finds it stale (the runtime
// calls it from a timer) and by flush() at shutdown/reload.
#include "directives/model/log_conf.hpp"
#include "server/log/access_format.hpp"
#include "server/log/log_target.hpp"
#include "server/log/request_log_view.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace balancerd::log {

// Evaluates CustomLog's expr= condition (the ap_expr evaluator lives elsewhere).
using LogExprEval = std::function<bool(const directives::expr::Expr&, const RequestLogView&)>;

class AccessLog {
public:
  static constexpr std::size_t kBufferSize = 4096; // Apache's LOG_BUFSIZE

  AccessLog(std::shared_ptr<LogTarget> target, AccessFormat format, directives::LogCondition condition,
            bool buffered, LogExprEval eval = {});
  ~AccessLog(); // flushes

  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // env=VAR logs when VAR is set, env=!VAR when it is not; expr= when the callback says true (no
  // callback: logged, so a missing evaluator never loses lines).
  bool wanted(const RequestLogView& request) const;
  // Checks the condition, renders and writes (or buffers) the line.
  void log(const RequestLogView& request);

  void flush();
  void flush_older_than(std::chrono::steady_clock::duration age);
  void reopen();

  bool buffered() const { return buffered_; }
  LogTarget& target() const { return *target_; }
  const AccessFormat& format() const { return format_; }

private:
  struct ThreadBuffer {
    std::mutex mutex; // taken by its own thread per line, by flushers rarely
    std::string data;
    std::chrono::steady_clock::time_point first;
  };
  ThreadBuffer& thread_buffer();
  void write_locked(ThreadBuffer& b);

  std::shared_ptr<LogTarget> target_;
  AccessFormat format_;
  directives::LogCondition condition_;
  bool buffered_;
  LogExprEval eval_;
  std::uint64_t id_; // distinguishes this log in the thread-local buffer table
  std::mutex buffers_mutex_;
  std::vector<std::shared_ptr<ThreadBuffer>> buffers_;
};

// The format an AccessLog model entry uses: its own, or its nickname looked up now in `formats`
// (the vhost's, then the main server's), as Apache resolves nicknames when it opens the logs.
directives::LogFormat resolve_format(const directives::AccessLog& conf,
                                     const std::vector<const directives::LogServerConf*>& formats);

} // namespace balancerd::log
