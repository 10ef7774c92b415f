#pragma once
// Takes the page model of one server's balancers from the state store: as Apache syncs every
// balancer before it renders (running a pending lbmethod reset), then copies each balancer's settings
// and members under its lock, with the members' static values from their definitions.
#include <vector>

#include "server/balancer/state_store.hpp"
#include "server/manager/page_model.hpp"

namespace balancerd::manager {

// `threads_per_child`: the default of a worker's max= (Apache's ThreadsPerChild, 25 by default).
std::vector<BalancerRow> snapshot_balancers(const balancer::StateStore& store, int server_index,
                                            int threads_per_child);

// One member's row: its live state and its definition (WorkerState::config()).
MemberRow member_row(const balancer::WorkerState& state, int threads_per_child);

} // namespace balancerd::manager
