#include "server/balancer/balancer_state.hpp"

#include "directives/modules/proxy_url.hpp"
#include "server/balancer/lbmethods.hpp"

namespace balancerd::balancer {

BalancerState::BalancerState(std::string name, std::string sname, std::size_t capacity)
    : name_(std::move(name)), sname_(std::move(sname)), capacity_(capacity),
      slots_(std::make_unique<WorkerState*[]>(capacity == 0 ? 1 : capacity)) {}

WorkerState* BalancerState::find_member(std::string_view url) const {
  // ap_proxy_get_worker: the member whose name is the longest prefix of the URL, compared
  // case-insensitively up to the path (names are stored with a lower-case scheme and host).
  const std::string want = directives::proxy::lower_site_part(url);
  WorkerState* best = nullptr;
  std::size_t best_len = 0;
  const std::size_t n = size();
  for (std::size_t i = 0; i < n; ++i) {
    WorkerState& w = member(i);
    const std::string& name = w.name();
    if (name.size() > want.size() || name.size() < best_len) continue;
    if (want.compare(0, name.size(), name) != 0) continue;
    if (!best || name.size() > best_len) {
      best = &w;
      best_len = name.size();
    }
  }
  return best;
}

BalancerSettings BalancerState::settings() const {
  std::lock_guard lock(mu_);
  return settings_;
}

std::string BalancerState::vpath() const {
  std::lock_guard lock(mu_);
  return vpath_;
}

BalancerView BalancerState::view() const {
  std::lock_guard lock(mu_);
  BalancerView v;
  v.name = name_;
  v.sname = sname_;
  v.vpath = vpath_;
  v.vhost = vhost_;
  v.settings = settings_;
  v.max_members = capacity_;
  const std::size_t n = size();
  v.members.reserve(n);
  for (std::size_t i = 0; i < n; ++i) v.members.push_back(member(i).view());
  return v;
}

bool BalancerState::add_member_locked(WorkerState* w) {
  const std::size_t n = used_.load(std::memory_order_relaxed);
  if (n >= capacity_) return false;
  slots_[n] = w;
  used_.store(n + 1, std::memory_order_release);
  return true;
}

void BalancerState::set_mount_locked(std::string vpath, std::string vhost) {
  vpath_ = std::move(vpath);
  vhost_ = std::move(vhost);
}

void BalancerState::apply_pending_reset_locked() {
  if (!stale_.load(std::memory_order_acquire) || !stale_.exchange(false, std::memory_order_acq_rel)) return;
  if (!need_reset_.exchange(false, std::memory_order_acq_rel)) return;
  reset_lbmethod(*this, settings_.lbmethod);
}

void BalancerState::recalc_factors_locked() {
  const std::size_t n = size();
  if (n == 1) {
    member(0).lbfactor.store(100);
    member(0).lbstatus.store(100);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) member(i).lbstatus.store(member(i).lbfactor.load());
}

} // namespace balancerd::balancer
