#pragma once
// Choosing a member for one request: mod_proxy_balancer's pre_request (force recovery, sticky route,
// nofailover, the lbmethod under the lbset/spare/standby framework, the balancer timeout wait),
// the failover loop's bookkeeping around the scheme handler (maxattempts), post_request
// (failonstatus, failontimeout) and the busy/bytes accounting. The same checks for a plain worker.
// Nothing here sleeps or does I/O (except heartbeat's storage file read, as Apache does per request).
#include "server/balancer/balancer_state.hpp"
#include "server/balancer/log_event.hpp"
#include "server/balancer/worker_state.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace balancerd::balancer {

struct RequestFacts {
  // The URL being proxied, as Apache's r->filename holds it after canonicalisation without the
  // "proxy:" prefix: "balancer://app/path;jsessionid=x.r1?query". The sticky URL parameter is
  // searched in the whole string (path and query).
  std::string_view url;
  // The Cookie request header (Apache merges several Cookie header lines into one value joined
  // with ", "; HTTP/2 cookie crumbs are joined with "; "). Empty when absent.
  std::string_view cookie;
  // The time of the request's retry checks; left default, the clock is read only if a member in
  // error needs one (LazyNow).
  LazyNow now;
  // heartbeat's random pick in [0, max] inclusive (ap_random_pick); null = a per-thread PRNG.
  std::function<std::uint32_t(std::uint32_t max)> random_pick;
};

enum class SelectStatus {
  Chosen,      // `worker` serves the request (busy and elected already counted)
  Unavailable, // answer 503 (the log lines are in `logs`)
  Wait,        // balancer timeout: call select_again() after `retry_after` (no worker counted yet)
};

struct Selection {
  SelectStatus status = SelectStatus::Unavailable;
  int http_status = 503; // for Unavailable
  WorkerState* worker = nullptr;
  std::string_view balancer_name; // BALANCER_NAME (the state's own name: lives as long as the store)
  bool sticky_hit = false;        // the worker came from the session route
  bool route_changed = false;     // BALANCER_ROUTE_CHANGED=1
  // The session route found in the request (BALANCER_SESSION_ROUTE, may be empty: Apache sets the
  // variables even for "JSESSIONID=abc." ), and the name it was found under (BALANCER_SESSION_STICKY:
  // the URL parameter name or the cookie name).
  std::optional<std::string> session_route;
  std::string session_sticky;
  std::string worker_route; // BALANCER_WORKER_ROUTE (chosen worker's route, may be empty)
  // Wait bookkeeping (Apache sleeps timeout/100 up to 100 times re-running the lbmethod).
  Micros retry_after{0}; // timeout / 100
  Micros wait_total{0};  // the balancer timeout the wait started with
  int wait_steps = 0;
  std::vector<LogEvent> logs;

  // The environment variables Apache sets for this outcome, in the order it sets them.
  // Chosen: [BALANCER_ROUTE_CHANGED], BALANCER_NAME, BALANCER_WORKER_NAME, BALANCER_WORKER_ROUTE,
  // [BALANCER_SESSION_STICKY, BALANCER_SESSION_ROUTE]. Otherwise nothing.
  std::vector<std::pair<std::string, std::string>> env() const;
  // The same, handed to f(name, value) as views into this selection and its worker (valid during the
  // call): the request path sets them without building strings (env() cost 5 allocations a request).
  template <class F> void for_each_env(F&& f) const {
    if (status != SelectStatus::Chosen || !worker) return;
    if (route_changed) f(std::string_view("BALANCER_ROUTE_CHANGED"), std::string_view("1"));
    f(std::string_view("BALANCER_NAME"), balancer_name);
    f(std::string_view("BALANCER_WORKER_NAME"), std::string_view(worker->name()));
    f(std::string_view("BALANCER_WORKER_ROUTE"), std::string_view(worker_route));
    if (session_route) {
      f(std::string_view("BALANCER_SESSION_STICKY"), std::string_view(session_sticky));
      f(std::string_view("BALANCER_SESSION_ROUTE"), std::string_view(*session_route));
    }
  }
  // Request notes Apache adds (session-sticky, session-route) when a route was found.
  std::vector<std::pair<std::string, std::string>> notes() const;
};

// pre_request for one attempt: under the balancer lock applies a pending reset, force recovery,
// the sticky route lookup (and its lbstatus update on a hit); then the lbmethod if needed.
// On Chosen: elected++ (once) and busy++; call release() when the request is done with the worker.
Selection select(BalancerState& b, const RequestFacts& facts);
// The balancer-timeout wait: re-runs only the lbmethod (as Apache's find_best_worker loop does);
// `previous` is the Wait result. Unavailable after the 100th fruitless step.
Selection select_again(BalancerState& b, const RequestFacts& facts, Selection previous);

// mod_proxy_balancer's rewrite_url: the chosen worker's name followed by the balancer URL's path
// part (from the first '/' after "scheme://"), nothing else: "balancer://app/x?q=1" on worker
// "http://127.0.0.1:18101" -> "http://127.0.0.1:18101/x?q=1" (a worker name with a path keeps it:
// "http://h:1/base" -> "http://h:1/base/x"). Apache logs it as
// "AH01172: balancer://app: worker (http://127.0.0.1:18101) rewritten to http://127.0.0.1:18101/x" (debug).
std::string rewrite_url(const WorkerState& w, std::string_view balancer_url);

// End of a request on `w` (Apache decrements busy at request pool cleanup, never below 0) and the
// bytes it moved: `to_backend` request bytes sent ("To"), `from_backend` response bytes read ("From").
void release(WorkerState& w, std::uint64_t to_backend, std::uint64_t from_backend);
void count_bytes(WorkerState& w, std::uint64_t to_backend, std::uint64_t from_backend);

// Puts `w` into error at `now` unless it has the ignore-errors (I) flag. Returns whether it did.
bool mark_error(WorkerState& w, TimePoint now);
// Apache's AH00959 line for a connect failure on `w` (only meaningful when mark_error returned true).
LogEvent connect_failure_log(const WorkerState& w);

// ap_proxy_acquire_connection's check for any worker: an unusable worker gets its retry check;
// still unusable -> 503 with "AH00940: <function>: disabled connection for (host:port)".
// `function` is the scheme handler's name ("HTTP", "BALANCER" ...). nullopt = go ahead.
std::optional<LogEvent> check_usable(WorkerState& w, TimePoint now, std::string_view function = "HTTP");

// The proxy handler's failover loop around the scheme handler (mod_proxy's proxy_handler):
//   FailoverLoop loop;                       // one per request
//   do { sel = select(...); ... status = handler(sel.worker); }
//   while (loop.after_attempt(b, *sel.worker, status, now));
// after_attempt marks the worker in error for 500 and 503 (balancer members without I) and returns
// true when Apache tries again: status 503, the worker is now unusable and attempts < maxattempts.
// `handler_status` is the scheme handler's result: 0 for OK (a response was relayed, whatever its
// status, or ProxyErrorOverride took over), else the HTTP status it failed with (503 for a connect
// failure or ping/100-continue failure, 500, 502...). Call release() for every Chosen selection.
class FailoverLoop {
public:
  bool after_attempt(BalancerState* b, WorkerState& w, int handler_status, TimePoint now);
  // Apache's counter: incremented each time the `max_attempts > attempts++` test ran.
  int attempts() const { return attempts_; }

private:
  int attempts_ = 0;
  int max_attempts_ = 0;
};

// post_request: failonstatus (final status in the list, worker without I -> error, AH01174) and
// failontimeout (the request's backend read timed out -> error, AH02460). Returns the log lines.
// (`now` is read only when the worker is put into error: pass a default LazyNow to read it then.)
std::vector<LogEvent> post_request(BalancerState& b, WorkerState& w, int final_status, bool timed_out,
                                   const LazyNow& now);

} // namespace balancerd::balancer
