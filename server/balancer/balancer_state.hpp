#pragma once
// The run-time state of one balancer:// of one server (Apache's proxy_balancer + its shared slot):
// the parameters balancer-manager can change, the members (config order, then members added at run
// time within `growth`), and the lock Apache takes around sticky lookup and the lbmethod's pick.
// Members are WorkerState objects owned by the StateStore; a member never moves once added.
#include "directives/model/proxy_balancer.hpp"
#include "server/balancer/worker_state.hpp"

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace balancerd::balancer {

// The parameters that can change at run time (Apache's proxy_balancer_shared + errstatuses).
struct BalancerSettings {
  std::string lbmethod = "byrequests";
  std::string sticky;          // cookie name ("" = not sticky)
  std::string sticky_path;     // URL parameter name
  char sticky_separator = '.'; // '\0': stickysessionsep=Off
  bool sticky_force = false;   // nofailover
  bool scolonsep = false;      // scolonpathdelim
  Micros timeout{0};           // wait for a usable worker (0 = answer 503 at once)
  int max_attempts = 0;
  bool max_attempts_set = false; // after start: set whenever the balancer has more than one member
  std::string nonce;             // "" = no nonce (nonce=None): manager changes refused
  bool forcerecovery = true;
  bool failontimeout = false;
  std::vector<int> errstatuses; // failonstatus
  int growth = 0;
  bool operator==(const BalancerSettings&) const = default;
};

// A consistent copy for rendering.
struct BalancerView {
  std::string name;  // "balancer://app"
  std::string sname; // Apache's shared-memory slot name shown in brackets ("p8df6fda7_app")
  std::string vpath; // ProxyPass path that mounts it
  std::string vhost;
  BalancerSettings settings;
  std::size_t max_members = 0; // configured members + growth
  std::vector<WorkerView> members;
};

class BalancerState {
public:
  // `capacity` = configured members + growth.
  BalancerState(std::string name, std::string sname, std::size_t capacity);
  BalancerState(const BalancerState&) = delete;
  BalancerState& operator=(const BalancerState&) = delete;

  const std::string& name() const { return name_; }   // "balancer://app"
  const std::string& sname() const { return sname_; } // "p1a2b3c4d_app"
  std::size_t capacity() const { return capacity_; }

  // Lock held for the lbmethod pick, sticky lookup, manager changes and reads of the settings.
  std::mutex& mutex() const { return mu_; }

  // Number of members in use; member(i) for i < size() is never null and never moves. Safe without
  // the lock (a member added later appears atomically); settings need the lock or settings().
  std::size_t size() const { return used_.load(std::memory_order_acquire); }
  WorkerState& member(std::size_t i) const { return *slots_[i]; }
  // Finds a member by name (ASCII case-insensitive up to the path, as Apache compares URLs).
  WorkerState* find_member(std::string_view url) const;

  // Copies under the lock.
  BalancerSettings settings() const;
  BalancerView view() const;
  std::string vpath() const;

  // Under the lock (callers hold mutex()).
  BalancerSettings& settings_locked() { return settings_; }
  const BalancerSettings& settings_locked() const { return settings_; }
  // Appends a member (store-owned state); false when the capacity is exhausted.
  bool add_member_locked(WorkerState* w);
  void set_mount_locked(std::string vpath, std::string vhost);
  // mod_lbmethod_heartbeat's storage file (HeartbeatStorage, resolved against DefaultRuntimeDir).
  void set_heartbeat_path_locked(std::string path) { heartbeat_path_ = std::move(path); }
  const std::string& heartbeat_path_locked() const { return heartbeat_path_; }

  // Apache's need_reset and its balancer update stamp (wupdated): an lbmethod change sets both, a
  // member re-enabled through the manager only need_reset (`stamp` false). Apache's balancer sync (the
  // next selection or manager page) runs the reset only when the stamp moved past the process's own
  // copy, so after a re-enabled member alone lbstatus stays as it is until a later stamp (an lbmethod
  // change) or a reload/restart with BalancerPersist (mark_stale), as one apache2 child behaves.
  void request_reset(bool stamp = true) {
    need_reset_.store(true, std::memory_order_release);
    if (stamp) stale_.store(true, std::memory_order_release);
  }
  void mark_stale() { stale_.store(true, std::memory_order_release); }
  bool need_reset() const { return need_reset_.load(std::memory_order_acquire); }
  bool reset_pending() const {
    return stale_.load(std::memory_order_acquire) && need_reset_.load(std::memory_order_acquire);
  }
  // The sync under the lock: when stale, runs a pending reset (byrequests: lbstatus=0; bybusyness:
  // lbstatus=0, busy=0; bytraffic: transferred=read=0; heartbeat: nothing).
  void apply_pending_reset_locked();

  // Apache's recalc_factors after a load-factor change: lbstatus = lbfactor for every member (a
  // single member gets lbfactor = lbstatus = 100). Caller holds the lock.
  void recalc_factors_locked();

private:
  std::string name_;
  std::string sname_;
  std::size_t capacity_;
  mutable std::mutex mu_;
  BalancerSettings settings_;
  std::string vpath_, vhost_;
  std::string heartbeat_path_;
  std::unique_ptr<WorkerState*[]> slots_;
  std::atomic<std::size_t> used_{0};
  std::atomic<bool> need_reset_{false};
  std::atomic<bool> stale_{false};
};

} // namespace balancerd::balancer
