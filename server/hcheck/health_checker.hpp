#pragma once
// mod_proxy_hcheck for balancerd: one HealthChecker per process checks balancer members on its own
// thread and io_context (never on a request thread), and sets or clears the C (HcFl) status bit in
// the shared WorkerState, which the balancer's selection honours (a worker with C is not usable).
//
// Wiring (server/lifecycle):
//   balancer::StateStore store;                              // process-wide
//   hcheck::HealthChecker checker(store, {.log = ..., .log_enabled = ...});
//   store.sync(*config);  checker.update(config);            // at start
//   store.sync(*config);  checker.update(config);            // on each graceful reload, same order
//   checker.stop();                                          // before the store goes away
//
// What is checked, as Apache's watchdog callback does: every member of every balancer of every
// server (main and each <VirtualHost>) whose hcmethod is not NONE and which is not stopped (S);
// disabled (D) members are checked (apache2 2.4.71 does). A balancer a <VirtualHost> inherits has
// its own copy per server in the store, but the backend is checked once per interval (as Apache
// checks its shared worker once) and the result is applied to every copy.
// Plain ProxyPass workers are not checked. Method, interval, passes, fails, hcuri and hcexpr are read
// from the WorkerState at each check, so balancer-manager changes apply at the next check. The next
// check of a worker starts hcinterval after its previous one finished. At most ProxyHCTPsize checks
// run at once (0: one at a time, and the log says "Health check" instead of "Threaded Health check").
// Counters (hc_pcount/hc_fcount) live in the WorkerState, so they survive a reload with the worker;
// the pass/fail state machine is the balancer's (balancer::hc_passed / hc_failed). As apache2 2.4.71
// does, failures need not be consecutive: a success on a healthy worker does not reset fcount, and
// a failure does not reset pcount.
//
// Timeouts: connect within the worker's connectiontimeout (else its timeout, else the server's
// Timeout, 60 s); the request and answer within timeout (else Timeout).
//
// Log lines (texts and levels as apache2 2.4.71 writes them with LogLevel proxy_hcheck:trace3):
// AH03248/AH03256/AH03254/AH03251 at debug, "Condition ... passed" / "... : failed" and "Response
// status N ... failed" at trace2, "Checking balancer://x worker: ..." at trace3, AH03302 ENABLING /
// AH03303 DISABLING at info, and mod_proxy's AH00957 connect failure at proxy:error with errno.
// "%pp" (Apache's worker address) is the WorkerState's address here.
//
// Known differences from apache2 2.4.71:
//  - A "unix:/path|http://host/" member is checked over its socket; Apache's hcheck ignores the
//    socket and connects to host:port over TCP (so it flags such members when nothing listens
//    there). The AH02454 text used on failure is mod_proxy's, not seen from hcheck.
//  - The body hc('body') sees is capped at 1 MiB (HcResponseParser::kMaxBody).
//  - CPING is refused by the config layer for every scheme (no AJP here); Apache allows it on ajp://.
#include "server/log/log_level.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace balancerd::directives {
struct Config;
}
namespace balancerd::balancer {
class StateStore;
}

namespace balancerd::hcheck {

// One error-log line: module (log::mod::proxy_hcheck, or log::mod::proxy for AH00957), level,
// errno for the "(111)Connection refused: " part (0: none) and Apache's message text.
struct HcLogLine {
  log::ModuleIndex module = log::mod::proxy_hcheck;
  int level = log::kDebug;
  int os_error = 0;
  std::string_view message; // valid during the call only
};

struct HealthCheckerOptions {
  // Called on the checker's thread. Null: nothing is logged.
  std::function<void(const HcLogLine&)> log;
  // Asked before a line is formatted (the main server's LogLevel); null: every line is formatted.
  std::function<bool(log::ModuleIndex, int level)> log_enabled;
};

class HealthChecker {
public:
  // No thread yet: the first update() whose configuration loads mod_proxy_hcheck or gives some
  // balancer member an hcmethod starts it (a reload may be that first one); until then update()
  // returns at once. `store` must outlive the checker or at least its stop().
  explicit HealthChecker(balancer::StateStore& store, HealthCheckerOptions options = {});
  ~HealthChecker(); // stop()
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  // Takes the workers to check from the store as `config` bound it (call after store.sync(*config)).
  // Workers that stay keep their schedule; new ones get their first check one hcinterval from now;
  // workers gone from the store's index are no longer checked (a check under way finishes
  // without effect). Returns once the checker's thread applied it. No-op after stop().
  void update(std::shared_ptr<const directives::Config> config);

  // Cancels checks under way and joins the thread. Idempotent.
  void stop();

  // Introspection (tests, server-status): checks finished since start, and workers watched.
  std::uint64_t checks_completed() const;
  std::size_t workers_watched() const;
  // Whether the checker's thread was started.
  bool running() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace balancerd::hcheck
