#include "server/manager/balancer_snapshot.hpp"

#include <mutex>

#include "server/http/request.hpp"

namespace balancerd::manager {

MemberRow member_row(const balancer::WorkerState& state, int threads_per_child) {
  MemberRow row;
  row.live = state.view();
  row.name_ex = state.name();
  row.hostname = state.hostname();
  row.port = state.port();
  // The worker's definition: from the configuration, or as the manager defined an added member.
  const directives::Worker& config = state.config();
  row.scheme = config.scheme;
  row.uds = !config.uds_path.empty();
  row.params = config.params;
  if (row.scheme.empty()) {
    const auto colon = row.name_ex.find("://");
    if (colon != std::string::npos) row.scheme = row.name_ex.substr(0, colon);
  }
  // ap_proxy_initialize_worker: max 0 -> ThreadsPerChild; smax unset or above max -> max; min <= smax.
  row.hmax = row.params.hmax > 0 ? row.params.hmax : threads_per_child;
  row.smax = (row.params.smax < 0 || row.params.smax > row.hmax) ? row.hmax : row.params.smax;
  row.min = row.params.min > row.smax ? row.smax : row.params.min;
  return row;
}

std::vector<BalancerRow> snapshot_balancers(const balancer::StateStore& store, int server_index,
                                            int threads_per_child) {
  std::vector<BalancerRow> rows;
  for (balancer::BalancerState* b : store.balancers(server_index)) {
    {
      // ap_proxy_sync_balancer: a pending reset (lbmethod change, member enabled) runs first.
      std::lock_guard lock(b->mutex());
      if (b->reset_pending()) b->apply_pending_reset_locked();
    }
    BalancerRow row;
    row.view = b->view();
    row.view.members.clear();
    row.used = b->size();
    for (std::size_t i = 0; i < row.used; ++i) {
      const balancer::WorkerState& w = b->member(i);
      row.members.push_back(member_row(w, threads_per_child));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

} // namespace balancerd::manager
