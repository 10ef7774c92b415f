#pragma once
// The run-time state of one backend worker (Apache's proxy_worker_shared): status bits, lb counters,
// byte counters, error time and health-check counters, plus the config values the balancer logic
// needs. Shared by every thread: counters and bits are atomics (Apache keeps them in shared memory
// and updates most of them without a lock), the text fields sit behind a small per-worker mutex.
// A WorkerState is created by the StateStore and lives as long as the store (pointers to it stay
// valid across reloads, even when the worker left the configuration).
#include "directives/model/proxy_worker.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace balancerd::balancer {

// Wall-clock time: error_time is shown to operators (manager XML), and every time-dependent
// function takes `now` from the caller so tests can inject it.
using TimePoint = std::chrono::system_clock::time_point;
using Micros = std::chrono::microseconds;

// A `now` that reads the system clock only when something first asks for it, then keeps that
// reading: a request's member selection and post_request compare or record a time only when a
// member is in error (its retry check) or is put into error, so most requests read no clock. Built
// from a TimePoint it is that time (tests and callers that have a reading already).
class LazyNow {
public:
  LazyNow() = default;
  LazyNow(TimePoint fixed) : t_(fixed), known_(true) {} // NOLINT: implicit, callers pass a TimePoint
  TimePoint get() const {
    if (!known_) {
      t_ = std::chrono::system_clock::now();
      known_ = true;
    }
    return t_;
  }
  operator TimePoint() const { return get(); } // NOLINT: implicit, for functions taking a TimePoint

private:
  mutable TimePoint t_{};
  mutable bool known_ = false;
};

// Apache keeps route, redirect and hcuri in 64-byte buffers: at most 63 characters.
inline constexpr std::size_t kMaxShortText = 63;
// hcexpr lives in a 16-byte buffer.
inline constexpr std::size_t kMaxHcExpr = 15;

// A consistent copy of every field, for rendering (balancer-manager, server-status) and tests.
struct WorkerView {
  std::string name; // URL as Apache shows it (ap_proxy_worker_name: "unix:/p|http://..." for UDS)
  std::string route;
  std::string redirect;
  int lbfactor = 100; // x100
  int lbset = 0;
  unsigned status = 0; // directives::WorkerStatus bits
  int lbstatus = 0;
  std::uint64_t elected = 0;
  std::int64_t busy = 0;
  std::uint64_t transferred = 0; // bytes sent to the backend ("To")
  std::uint64_t read = 0;        // bytes read from the backend ("From")
  TimePoint error_time{};        // epoch when never in error
  std::uint64_t retries = 0;
  Micros retry{std::chrono::seconds(60)};
  // mod_proxy_hcheck
  directives::HcMethod hc_method = directives::HcMethod::None;
  Micros hc_interval{std::chrono::seconds(30)};
  int hc_passes = 1;
  int hc_fails = 1;
  int hc_pcount = 0;
  int hc_fcount = 0;
  std::string hc_uri;
  std::string hc_expr;
  bool usable() const;
};

// Apache's status string: the texts of the set bits in table order ("Init ", "Ign ", "Drn ", ...),
// "??? " when none, then "Ok " when usable. Example: "Init Ok ", "Init Ign Drn Dis Stby ".
std::string status_string(unsigned status);
// PROXY_WORKER_IS_USABLE: initialized and none of U, D, S, E, C.
bool status_usable(unsigned status);

class WorkerState {
public:
  // The config values are copied; the state starts as Apache's child init leaves it: status =
  // configured bits | Init.
  explicit WorkerState(const directives::Worker& config);
  // A worker known only by its identity (restored from the persistence file); default parameters.
  WorkerState(std::string name, std::string display_name, std::string hostname, std::uint16_t port);
  WorkerState(const WorkerState&) = delete;
  WorkerState& operator=(const WorkerState&) = delete;

  // The configuration the worker was created from (immutable): what the engine needs to connect
  // (scheme, host, port, uds_path, timeouts, pool sizes...). A member added through the manager has
  // the server's proxy defaults; one restored from the persistence file has Apache's defaults.
  const directives::Worker& config() const { return config_; }

  // Immutable identity.
  const std::string& name() const { return name_; } // normalised URL ("http://127.0.0.1:18101")
  const std::string& display_name() const { return display_name_; }
  const std::string& hostname() const { return hostname_; }
  std::uint16_t port() const { return port_; }

  // Status bits (directives::WorkerStatus).
  unsigned status() const { return status_.load(std::memory_order_acquire); }
  bool usable() const { return status_usable(status()); }
  bool has(unsigned bits) const { return (status() & bits) != 0; }
  void set_bits(unsigned bits) { status_.fetch_or(bits, std::memory_order_acq_rel); }
  void clear_bits(unsigned bits) { status_.fetch_and(~bits, std::memory_order_acq_rel); }

  // ap_proxy_retry_worker: a worker in error comes back (E cleared, retries+1) when it has I, or when
  // `now` is past error_time + retry; a stopped one never does. Returns whether the worker is no
  // longer in error (true also when it was not in error).
  bool retry(TimePoint now);

  // Counters and numbers. Under the owning balancer's mutex the lbmethods read-modify-write lbstatus;
  // busy/bytes are updated by any thread without a lock (as Apache does).
  std::atomic<int> lbfactor{100};
  std::atomic<int> lbset{0};
  std::atomic<int> lbstatus{0};
  std::atomic<std::uint64_t> elected{0};
  std::atomic<std::int64_t> busy{0};
  std::atomic<std::uint64_t> transferred{0};
  std::atomic<std::uint64_t> read{0};
  std::atomic<std::int64_t> error_time_us{0}; // system_clock microseconds since the epoch
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::int64_t> retry_us{60'000'000};
  // Health-check settings and counters.
  std::atomic<int> hc_method{0}; // directives::HcMethod
  std::atomic<std::int64_t> hc_interval_us{30'000'000};
  std::atomic<int> hc_passes{1};
  std::atomic<int> hc_fails{1};
  std::atomic<int> hc_pcount{0};
  std::atomic<int> hc_fcount{0};

  TimePoint error_time() const;
  void set_error_time(TimePoint t);

  // Text fields (route, redirect, hcuri, hcexpr): copies under the worker's text mutex. Setters keep
  // Apache's buffer limits (longer values are refused by the callers; these truncate defensively).
  std::string route() const;
  std::string redirect() const;
  std::string hc_uri() const;
  std::string hc_expr() const;
  bool route_equals(std::string_view r) const; // non-empty route equal to r (strcmp)
  void set_route(std::string_view r);
  void set_redirect(std::string_view r);
  void set_hc_uri(std::string_view u);
  void set_hc_expr(std::string_view e);

  // (Re-)applies the run-time copies of configuration values: lbfactor, lbset, route, redirect,
  // retry, status bits from config | Init, hc settings. Counters are left alone.
  void apply_config(const directives::Worker& config);

  WorkerView view() const;
  // Restores every field of a view (persistence, reload with kept state).
  void restore(const WorkerView& v);

private:
  directives::Worker config_;
  std::string name_;
  std::string display_name_;
  std::string hostname_;
  std::uint16_t port_ = 0;
  std::atomic<unsigned> status_{directives::kWorkerInitialized};
  mutable std::mutex text_mu_;
  std::string route_, redirect_, hc_uri_, hc_expr_;
  // !route_.empty(), written under text_mu_: every proxied request asks for the chosen member's
  // route (BALANCER_WORKER_ROUTE), and a member without one (the common case) answers without the
  // lock pair. A reader racing a set_route sees the route before or after it, as with the lock.
  std::atomic<bool> has_route_{false};
};

} // namespace balancerd::balancer
