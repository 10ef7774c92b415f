#pragma once
// Takes the page model of one server's balancers from the state store: as Apache syncs every
// balancer before it renders (running a pending lbmethod reset), then copies each balancer's settings
// and members under its lock, and adds the members' static configuration values from the server's
// (merged) proxy configuration.
#include <vector>

#include "directives/model/proxy_conf.hpp"
#include "server/balancer/state_store.hpp"
#include "server/manager/page_model.hpp"

namespace balancerd::manager {

// `threads_per_child`: the default of a worker's max= (Apache's ThreadsPerChild, 25 by default).
std::vector<BalancerRow> snapshot_balancers(const balancer::StateStore& store, int server_index,
                                            const directives::ProxyServerConf& proxy, int threads_per_child);

// One member's row (used by the snapshot, and for a member just found by a lookup).
MemberRow member_row(const balancer::WorkerState& state, const directives::Worker* config,
                     int threads_per_child);

// The configuration of balancer `name`'s member `worker_name` in `proxy`, if there is one.
const directives::Worker* member_config(const directives::ProxyServerConf& proxy,
                                        std::string_view balancer_name, std::string_view worker_name);

} // namespace balancerd::manager
