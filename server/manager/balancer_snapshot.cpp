#include "server/manager/balancer_snapshot.hpp"

#include <mutex>

#include "directives/modules/proxy_workers.hpp"
#include "server/http/request.hpp"

namespace balancerd::manager {

const directives::Worker* member_config(const directives::ProxyServerConf& proxy,
                                        std::string_view balancer_name, std::string_view worker_name) {
  for (const auto& b : proxy.balancers) {
    if (!http::iequals(b.name, balancer_name)) continue;
    for (const auto& m : b.members)
      if (m.name == worker_name) return &m;
  }
  return nullptr;
}

MemberRow member_row(const balancer::WorkerState& state, const directives::Worker* config,
                     const directives::ProxyServerConf& proxy, int threads_per_child) {
  MemberRow row;
  row.live = state.view();
  row.name_ex = state.name();
  row.hostname = state.hostname();
  row.port = state.port();
  directives::Worker rebuilt;
  if (!config) {
    // A member added through the manager: defined as Apache defines it (its URL with the server's
    // proxy defaults), which is what the store built it from.
    if (!directives::proxy::make_worker(state.display_name(), 0, true, rebuilt)) {
      directives::proxy::copy_conf_params(rebuilt.params, proxy);
      config = &rebuilt;
    }
  }
  if (config) {
    row.scheme = config->scheme;
    row.uds = !config->uds_path.empty();
    row.params = config->params;
  } else {
    const auto colon = row.name_ex.find("://");
    row.scheme = colon == std::string::npos ? std::string() : row.name_ex.substr(0, colon);
  }
  if (!row.uds && row.live.name != row.name_ex && row.live.name.size() > 5 &&
      http::iequals(std::string_view(row.live.name).substr(0, 5), "unix:"))
    row.uds = true;
  // ap_proxy_initialize_worker: max 0 -> ThreadsPerChild; smax unset or above max -> max; min <= smax.
  row.hmax = row.params.hmax > 0 ? row.params.hmax : threads_per_child;
  row.smax = (row.params.smax < 0 || row.params.smax > row.hmax) ? row.hmax : row.params.smax;
  row.min = row.params.min > row.smax ? row.smax : row.params.min;
  return row;
}

std::vector<BalancerRow> snapshot_balancers(const balancer::StateStore& store, int server_index,
                                            const directives::ProxyServerConf& proxy, int threads_per_child) {
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
      row.members.push_back(
          member_row(w, member_config(proxy, b->name(), w.name()), proxy, threads_per_child));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

} // namespace balancerd::manager
