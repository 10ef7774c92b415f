#include "server/balancer/lbmethods.hpp"

#include <vector>

namespace balancerd::balancer {

using namespace directives;

namespace {

// The framework for any is_best callable: the lbmethods below pass their lambdas straight in (called
// once per member per request, through a std::function they were an indirect call each).
template <class IsBestF> WorkerState* best_worker(BalancerState& b, const LazyNow& now, IsBestF&& is_best) {
  const std::size_t n = b.size();
  WorkerState* best = nullptr;
  int max_lbset = 0;
  std::vector<WorkerState*> spares;
  std::vector<WorkerState*> standbys;
  // Tiers in ascending lbset order; the first tier that yields a worker wins. max_lbset is learnt
  // during the first pass over the members, as Apache does.
  for (int cur_lbset = 0; !best && cur_lbset <= max_lbset; ++cur_lbset) {
    std::size_t unusable = 0;
    spares.clear();
    standbys.clear();
    for (std::size_t i = 0; i < n; ++i) {
      WorkerState& w = b.member(i);
      const int lbset = w.lbset.load(std::memory_order_relaxed);
      if (lbset > max_lbset) max_lbset = lbset;
      if (lbset != cur_lbset) continue;
      // A draining member is never elected; unless it is a spare or standby it leaves a hole a
      // spare may fill.
      if (w.has(kWorkerDrain)) {
        if (!w.has(kWorkerHotSpare) && !w.has(kWorkerHotStandby)) ++unusable;
        continue;
      }
      if (!w.usable()) w.retry(now);
      if (w.has(kWorkerHotSpare)) {
        if (w.usable()) spares.push_back(&w);
      } else if (w.has(kWorkerHotStandby)) {
        if (w.usable()) standbys.push_back(&w);
      } else if (w.usable()) {
        if (is_best(w, best)) best = &w;
      } else {
        ++unusable;
      }
    }
    // Spares replace unusable members one for one, in configuration order.
    for (std::size_t i = 0; i < spares.size() && i < unusable; ++i) {
      if (is_best(*spares[i], best)) best = spares[i];
    }
    if (!best) {
      for (WorkerState* w : standbys) {
        if (is_best(*w, best)) best = w;
      }
    }
  }
  return best;
}

} // namespace

WorkerState* get_best_worker(BalancerState& b, const LazyNow& now, const IsBest& is_best) {
  return best_worker(b, now, is_best);
}

namespace {

// byrequests and bybusyness both add each candidate's factor to its lbstatus and to a total that
// the elected worker then gives back.
WorkerState* find_counting(BalancerState& b, const LazyNow& now, bool by_busyness) {
  int total = 0;
  WorkerState* best = best_worker(b, now, [&](WorkerState& w, WorkerState* prev) {
    const int factor = w.lbfactor.load(std::memory_order_relaxed);
    const int status = w.lbstatus.fetch_add(factor, std::memory_order_relaxed) + factor;
    total += factor;
    if (!prev) return true;
    const int prev_status = prev->lbstatus.load(std::memory_order_relaxed);
    if (!by_busyness) return status > prev_status;
    const std::int64_t busy = w.busy.load(std::memory_order_relaxed);
    const std::int64_t prev_busy = prev->busy.load(std::memory_order_relaxed);
    return busy < prev_busy || (busy == prev_busy && status > prev_status);
  });
  if (best) best->lbstatus.fetch_sub(total, std::memory_order_relaxed);
  return best;
}

} // namespace

WorkerState* find_best_byrequests(BalancerState& b, const LazyNow& now) {
  return find_counting(b, now, false);
}

WorkerState* find_best_bybusyness(BalancerState& b, const LazyNow& now) {
  return find_counting(b, now, true);
}

WorkerState* find_best_bytraffic(BalancerState& b, const LazyNow& now) {
  std::uint64_t min_traffic = 0;
  return best_worker(b, now, [&](WorkerState& w, WorkerState* prev) {
    std::uint64_t factor = static_cast<std::uint64_t>(w.lbfactor.load(std::memory_order_relaxed));
    if (factor == 0) factor = 1; // the config never allows 0; keep a bad state from dividing by zero
    const std::uint64_t traffic = w.transferred.load(std::memory_order_relaxed) / factor +
                                  w.read.load(std::memory_order_relaxed) / factor;
    if (!prev || traffic < min_traffic) {
      min_traffic = traffic;
      return true;
    }
    return false;
  });
}

WorkerState* find_best_heartbeat(BalancerState& b, const HeartbeatTable& table, const LazyNow& now,
                                 const std::function<std::uint32_t(std::uint32_t max)>& random_pick) {
  // Apache keys the table by IP and records on each entry the last usable member with that IP;
  // an entry is a candidate once per such member.
  std::vector<WorkerState*> entry_worker(table.servers.size(), nullptr);
  std::vector<std::size_t> up;
  std::uint32_t openslots = 0;
  const std::size_t n = b.size();
  for (std::size_t i = 0; i < n; ++i) {
    WorkerState& w = b.member(i);
    const HeartbeatServer* s = table.find(w.hostname());
    if (!s) continue;
    if (!w.usable()) w.retry(now);
    if (!w.usable()) continue;
    const std::size_t idx = static_cast<std::size_t>(s - table.servers.data());
    entry_worker[idx] = &w;
    if (s->seen < kHeartbeatMaxLastSeen) {
      openslots += static_cast<std::uint32_t>(s->ready);
      up.push_back(idx);
    }
  }
  if (openslots == 0) return nullptr;
  const std::uint32_t pick = random_pick(openslots);
  WorkerState* chosen = nullptr;
  std::uint32_t c = 0;
  for (std::size_t idx : up) {
    const std::uint32_t ready = static_cast<std::uint32_t>(table.servers[idx].ready);
    // No early exit: on a boundary the later entry wins, as in Apache.
    if (pick >= c && pick <= c + ready) chosen = entry_worker[idx];
    c += ready;
  }
  return chosen;
}

bool lbmethod_known(std::string_view name) {
  for (std::string_view m : kLbMethods) {
    if (m == name) return true;
  }
  return false;
}

void reset_lbmethod(BalancerState& b, std::string_view lbmethod) {
  const std::size_t n = b.size();
  for (std::size_t i = 0; i < n; ++i) {
    WorkerState& w = b.member(i);
    if (lbmethod == "byrequests") {
      w.lbstatus.store(0);
    } else if (lbmethod == "bybusyness") {
      w.lbstatus.store(0);
      w.busy.store(0);
    } else if (lbmethod == "bytraffic") {
      w.transferred.store(0);
      w.read.store(0);
    }
  }
}

} // namespace balancerd::balancer
