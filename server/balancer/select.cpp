#include "server/balancer/select.hpp"

#include "server/balancer/lbmethods.hpp"
#include "server/balancer/sticky_route.hpp"

#include <random>

namespace balancerd::balancer {

using namespace directives;

namespace {

std::uint32_t default_pick(std::uint32_t max) {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_int_distribution<std::uint32_t>(0, max)(rng);
}

std::string host_port(const WorkerState& w) {
  return w.hostname() + ":" + std::to_string(w.port());
}

// Apache's force_recovery: when every member is in error (after a normal retry check on each) and
// forcerecovery is On, clear the error flag of all of them so this request tries them again.
void force_recovery(BalancerState& b, const LazyNow& now, std::vector<LogEvent>& logs) {
  const std::size_t n = b.size();
  for (std::size_t i = 0; i < n; ++i) {
    WorkerState& w = b.member(i);
    if (!w.has(kWorkerInError)) return;
    w.retry(now);
    if (!w.has(kWorkerInError)) return;
  }
  if (!b.settings_locked().forcerecovery) return;
  for (std::size_t i = 0; i < n; ++i) {
    WorkerState& w = b.member(i);
    w.retries.fetch_add(1, std::memory_order_relaxed);
    w.clear_bits(kWorkerInError);
    logs.push_back({LogSeverity::Debug,
                    "AH01165: " + b.name() + ": Forcing recovery for worker (" + host_port(w) + ")"});
  }
}

// The lbmethod's pick; caller holds the lock.
WorkerState* run_finder(BalancerState& b, const RequestFacts& facts, std::vector<LogEvent>& logs) {
  const std::string& method = b.settings_locked().lbmethod;
  if (method == "bybusyness") return find_best_bybusyness(b, facts.now);
  if (method == "bytraffic") return find_best_bytraffic(b, facts.now);
  if (method == "heartbeat") {
    const auto table = read_heartbeats(b.heartbeat_path_locked());
    if (!table) {
      logs.push_back({LogSeverity::Error, "AH01213: lb_heartbeat: Unable to read heartbeats at '" +
                                              b.heartbeat_path_locked() + "'"});
      return nullptr;
    }
    return find_best_heartbeat(b, *table, facts.now, facts.random_pick ? facts.random_pick : default_pick);
  }
  return find_best_byrequests(b, facts.now);
}

// find_best_worker: the finder under the lock, elected++ on success.
WorkerState* find_best_worker(BalancerState& b, const RequestFacts& facts, std::vector<LogEvent>& logs) {
  std::lock_guard lock(b.mutex());
  WorkerState* w = run_finder(b, facts, logs);
  if (w) w->elected.fetch_add(1, std::memory_order_relaxed);
  return w;
}

void no_worker(BalancerState& b, Selection& sel) {
  sel.status = SelectStatus::Unavailable;
  sel.http_status = 503;
  if (b.size() > 0) {
    sel.logs.push_back({LogSeverity::Error, "AH01170: " + b.name() + ": All workers are in error state"});
  } else {
    sel.logs.push_back({LogSeverity::Error, "AH01171: " + b.name() + ": No workers in balancer"});
  }
}

// The rest of pre_request once a worker was found by the lbmethod.
// `sticky`: the balancer has stickysession set (read under the lock by the caller: a copy of the
// settings per request cost allocations).
void chosen_by_lb(WorkerState& w, Selection& sel, bool sticky) {
  if (sticky) sel.route_changed = true;
  sel.worker = &w;
}

void finish(Selection& sel) {
  sel.status = SelectStatus::Chosen;
  sel.worker->busy.fetch_add(1, std::memory_order_relaxed);
  sel.worker_route = sel.worker->route();
}

} // namespace

std::vector<std::pair<std::string, std::string>> Selection::env() const {
  std::vector<std::pair<std::string, std::string>> out;
  for_each_env([&out](std::string_view k, std::string_view v) { out.emplace_back(k, v); });
  return out;
}

std::vector<std::pair<std::string, std::string>> Selection::notes() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (status != SelectStatus::Chosen || !session_route) return out;
  out.emplace_back("session-sticky", session_sticky);
  out.emplace_back("session-route", *session_route);
  return out;
}

Selection select(BalancerState& b, const RequestFacts& facts) {
  Selection sel;
  sel.balancer_name = b.name();
  WorkerState* runtime = nullptr;
  WorkerState* best = nullptr; // the lbmethod's choice when no sticky route applies
  Micros timeout{0};
  bool sticky_set = false;
  {
    std::lock_guard lock(b.mutex());
    b.apply_pending_reset_locked();
    force_recovery(b, facts.now, sel.logs);
    const BalancerSettings& st = b.settings_locked();
    timeout = st.timeout;
    sticky_set = !st.sticky.empty();
    if (auto sticky = find_sticky_route(st, facts.url, facts.cookie)) {
      sel.session_route = sticky->route;
      sel.session_sticky = sticky->sticky;
      if (!sticky->route.empty()) {
        runtime = find_route_worker(b, sticky->route, facts.now);
        if (runtime && !runtime->route_equals(sticky->route)) sel.route_changed = true;
      }
    }
    if (runtime) {
      // A sticky hit still moves the byrequests counters (the methods have no updatelbstatus of
      // their own): every usable member gains its factor, the chosen one gives the total back.
      int total = 0;
      for (std::size_t i = 0; i < b.size(); ++i) {
        WorkerState& w = b.member(i);
        if (!w.usable()) continue;
        const int f = w.lbfactor.load(std::memory_order_relaxed);
        w.lbstatus.fetch_add(f, std::memory_order_relaxed);
        total += f;
      }
      runtime->lbstatus.fetch_sub(total, std::memory_order_relaxed);
      runtime->elected.fetch_add(1, std::memory_order_relaxed);
      sel.sticky_hit = true;
      sel.worker = runtime;
    } else if (sel.session_route && st.sticky_force) {
      // nofailover: a route that names a member of this balancer must not go elsewhere.
      for (std::size_t i = 0; i < b.size(); ++i) {
        if (!b.member(i).route_equals(*sel.session_route)) continue;
        sel.status = SelectStatus::Unavailable;
        sel.http_status = 503;
        sel.logs.push_back({LogSeverity::Error, "AH01167: " + b.name() +
                                                    ": All workers are in error state for route (" +
                                                    *sel.session_route + ")"});
        return sel;
      }
    }
    // find_best_worker's work, in the same critical section: Apache takes the balancer lock twice
    // here (session route, then the lbmethod), but nothing can tell one section from two, and a
    // second lock pair on every proxied request is not free.
    if (!runtime) {
      best = run_finder(b, facts, sel.logs);
      if (best) best->elected.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (!runtime) {
    WorkerState* w = best;
    if (!w) {
      if (timeout.count() > 0) {
        sel.status = SelectStatus::Wait;
        sel.retry_after = timeout / 100;
        sel.wait_total = timeout;
        sel.wait_steps = 0;
        return sel;
      }
      no_worker(b, sel);
      return sel;
    }
    chosen_by_lb(*w, sel, sticky_set);
  }
  finish(sel);
  return sel;
}

Selection select_again(BalancerState& b, const RequestFacts& facts, Selection previous) {
  Selection sel = std::move(previous);
  sel.logs.clear();
  ++sel.wait_steps;
  WorkerState* w = find_best_worker(b, facts, sel.logs);
  if (w) {
    chosen_by_lb(*w, sel, !b.settings().sticky.empty());
    finish(sel);
    return sel;
  }
  // Apache sleeps `step` and tries again while the time slept is below the timeout.
  const Micros waited = sel.retry_after * sel.wait_steps;
  if (sel.retry_after.count() > 0 && waited < sel.wait_total) {
    sel.status = SelectStatus::Wait;
    return sel;
  }
  no_worker(b, sel);
  return sel;
}

std::string rewrite_url(const WorkerState& w, std::string_view balancer_url) {
  std::string out = w.name();
  const std::size_t scheme = balancer_url.find("://");
  if (scheme == std::string_view::npos) return out;
  const std::size_t path = balancer_url.find('/', scheme + 3);
  if (path != std::string_view::npos) out += balancer_url.substr(path);
  return out;
}

void count_bytes(WorkerState& w, std::uint64_t to_backend, std::uint64_t from_backend) {
  w.transferred.fetch_add(to_backend, std::memory_order_relaxed);
  w.read.fetch_add(from_backend, std::memory_order_relaxed);
}

void release(WorkerState& w, std::uint64_t to_backend, std::uint64_t from_backend) {
  count_bytes(w, to_backend, from_backend);
  std::int64_t busy = w.busy.load(std::memory_order_relaxed);
  while (busy > 0 && !w.busy.compare_exchange_weak(busy, busy - 1, std::memory_order_relaxed)) {
  }
}

bool mark_error(WorkerState& w, TimePoint now) {
  if (w.has(kWorkerIgnoreErrors)) return false;
  w.set_error_time(now);
  w.set_bits(kWorkerInError);
  return true;
}

LogEvent connect_failure_log(const WorkerState& w) {
  const long secs = static_cast<long>(w.retry_us.load() / 1'000'000);
  return {LogSeverity::Error, "AH00959: ap_proxy_connect_backend disabling worker for (" + host_port(w) +
                                  ") for " + std::to_string(secs) + "s"};
}

std::optional<LogEvent> check_usable(WorkerState& w, TimePoint now, std::string_view function) {
  if (w.usable()) return std::nullopt;
  w.retry(now);
  if (w.usable()) return std::nullopt;
  return LogEvent{LogSeverity::Error,
                  "AH00940: " + std::string(function) + ": disabled connection for (" + host_port(w) + ")"};
}

bool FailoverLoop::after_attempt(BalancerState* b, WorkerState& w, int handler_status, TimePoint now) {
  if (b && max_attempts_ == 0) {
    std::lock_guard lock(b->mutex());
    const BalancerSettings& st = b->settings_locked();
    if (st.max_attempts_set) max_attempts_ = st.max_attempts;
  }
  if (handler_status == 0) return false;
  if (handler_status == 500) {
    // Unrecoverable: no failover, but a balancer member is taken out for `retry`.
    if (b) mark_error(w, now);
    return false;
  }
  if (handler_status != 503) return false;
  if (b) mark_error(w, now);
  if (w.usable()) return false;
  return max_attempts_ > attempts_++;
}

std::vector<LogEvent> post_request(BalancerState& b, WorkerState& w, int final_status, bool timed_out,
                                   const LazyNow& now) {
  std::vector<LogEvent> logs;
  std::lock_guard lock(b.mutex());
  const BalancerSettings& st = b.settings_locked();
  if (!st.errstatuses.empty() && !w.has(kWorkerIgnoreErrors)) {
    for (int code : st.errstatuses) {
      if (code != final_status) continue;
      logs.push_back({LogSeverity::Error, "AH01174: " + b.name() + ": Forcing worker (" + w.display_name() +
                                              ") into error state due to status code " +
                                              std::to_string(code) +
                                              " matching 'failonstatus' balancer parameter"});
      w.set_bits(kWorkerInError);
      w.set_error_time(now);
      break;
    }
  }
  if (st.failontimeout && !w.has(kWorkerIgnoreErrors) && timed_out) {
    logs.push_back({LogSeverity::Error,
                    "AH02460: " + b.name() + ": Forcing worker (" + w.display_name() +
                        ") into error state due to timeout and 'failontimeout' parameter being set"});
    w.set_bits(kWorkerInError);
    w.set_error_time(now);
  }
  return logs;
}

} // namespace balancerd::balancer
