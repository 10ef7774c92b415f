#include "server/log/access_log.hpp"

#include <unordered_map>

namespace balancerd::log {
namespace {

std::atomic<std::uint64_t> g_next_id{1};

// Per-thread map from log id to that thread's buffer for it. Shared ownership with the log, so a log
// destroyed while the thread lives leaves only a small dead entry.
struct ThreadBufferTable {
  std::unordered_map<std::uint64_t, std::weak_ptr<void>> entries;
};

} // namespace

AccessLog::AccessLog(std::shared_ptr<LogTarget> target, AccessFormat format,
                     directives::LogCondition condition, bool buffered, LogExprEval eval)
    : target_(std::move(target)), format_(std::move(format)), condition_(std::move(condition)),
      buffered_(buffered), eval_(std::move(eval)), id_(g_next_id.fetch_add(1)) {}

AccessLog::~AccessLog() {
  flush();
}

bool AccessLog::wanted(const RequestLogView& r) const {
  using Kind = directives::LogCondition::Kind;
  switch (condition_.kind) {
  case Kind::None:
    return true;
  case Kind::Env:
    return r.env(condition_.env).has_value();
  case Kind::EnvNot:
    return !r.env(condition_.env).has_value();
  case Kind::Expr:
    return !condition_.expr || !eval_ || eval_(*condition_.expr, r);
  }
  return true;
}

AccessLog::ThreadBuffer& AccessLog::thread_buffer() {
  thread_local ThreadBufferTable table;
  auto& slot = table.entries[id_];
  if (auto existing = slot.lock()) return *static_cast<ThreadBuffer*>(existing.get());
  auto fresh = std::make_shared<ThreadBuffer>();
  fresh->data.reserve(kBufferSize + 512);
  {
    std::lock_guard lock(buffers_mutex_);
    buffers_.push_back(fresh);
  }
  slot = fresh;
  return *fresh;
}

void AccessLog::write_locked(ThreadBuffer& b) {
  if (b.data.empty()) return;
  target_->write(b.data);
  b.data.clear();
}

void AccessLog::log(const RequestLogView& r) {
  if (!wanted(r)) return;
  if (!buffered_) {
    thread_local std::string line;
    line.clear();
    render_access_line(format_, r, line);
    line += '\n';
    target_->write(line);
    return;
  }
  ThreadBuffer& b = thread_buffer();
  std::lock_guard lock(b.mutex);
  if (b.data.empty()) b.first = std::chrono::steady_clock::now();
  render_access_line(format_, r, b.data);
  b.data += '\n';
  if (b.data.size() >= kBufferSize) write_locked(b);
}

void AccessLog::flush() {
  std::lock_guard lock(buffers_mutex_);
  for (auto& b : buffers_) {
    std::lock_guard l(b->mutex);
    write_locked(*b);
  }
}

void AccessLog::flush_older_than(std::chrono::steady_clock::duration age) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(buffers_mutex_);
  for (auto& b : buffers_) {
    std::lock_guard l(b->mutex);
    if (!b->data.empty() && now - b->first >= age) write_locked(*b);
  }
}

void AccessLog::reopen() {
  flush();
  target_->reopen();
}

directives::LogFormat resolve_format(const directives::AccessLog& conf,
                                     const std::vector<const directives::LogServerConf*>& formats) {
  if (!conf.format_resolved && !conf.format_name.empty()) {
    for (const directives::LogServerConf* f : formats) {
      if (!f) continue;
      auto it = f->formats.find(conf.format_name);
      if (it != f->formats.end()) return it->second;
    }
  }
  return conf.format;
}

} // namespace balancerd::log
