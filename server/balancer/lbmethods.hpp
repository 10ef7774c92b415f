#pragma once
// The lbmethod providers (mod_lbmethod_byrequests, _bybusyness, _bytraffic, _heartbeat) and the
// framework they share (ap_proxy_balancer_get_best_worker: lbsets in ascending order, hot spares
// replacing unusable members one for one, hot standbys as the last resort, draining members never
// chosen). Callers hold the balancer's mutex; none of these counts `elected` or `busy`.
#include "server/balancer/balancer_state.hpp"
#include "server/balancer/heartbeat.hpp"

#include <cstdint>
#include <functional>
#include <string_view>

namespace balancerd::balancer {

// is_best(candidate, best_so_far): may update the candidate's counters; returns whether the
// candidate becomes the best.
using IsBest = std::function<bool(WorkerState& candidate, WorkerState* best)>;
// The framework. Runs the retry check on unusable members it meets (at `now`).
WorkerState* get_best_worker(BalancerState& b, const LazyNow& now, const IsBest& is_best);

WorkerState* find_best_byrequests(BalancerState& b, const LazyNow& now);
WorkerState* find_best_bybusyness(BalancerState& b, const LazyNow& now);
WorkerState* find_best_bytraffic(BalancerState& b, const LazyNow& now);
// Weighted random over the members present and fresh in `table` (see heartbeat.hpp).
WorkerState* find_best_heartbeat(BalancerState& b, const HeartbeatTable& table, const LazyNow& now,
                                 const std::function<std::uint32_t(std::uint32_t max)>& random_pick);

// The lbmethods a build provides, for b_lbm validation and the manager's select list.
bool lbmethod_known(std::string_view name);
inline constexpr std::string_view kLbMethods[] = {"byrequests", "bybusyness", "bytraffic", "heartbeat"};

// The provider's reset (need_reset): byrequests lbstatus=0; bybusyness lbstatus=0 and busy=0;
// bytraffic transferred=read=0; heartbeat none. Caller holds the lock.
void reset_lbmethod(BalancerState& b, std::string_view lbmethod);

} // namespace balancerd::balancer
