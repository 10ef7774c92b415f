#include "directives/modules/proxy_merge.hpp"

namespace balancerd::directives::proxy {

namespace {

template <typename T> std::optional<T> pick(const std::optional<T>& over, const std::optional<T>& base) {
  return over ? over : base;
}

// merge_balancers for one balancer defined in both: the main server's copy (members, section) with the
// vhost's own parameters, gaps filled from the main server's where the vhost left them unset.
Balancer merge_balancer(const Balancer& base, const Balancer& over) {
  Balancer out = base;
  out.vpath = over.vpath;
  out.vhost = over.vhost;
  BalancerParams& p = out.params;
  const BalancerParams& b = base.params;
  p = over.params;
  if (p.sticky.empty() && !b.sticky.empty()) {
    p.sticky = b.sticky;
    p.sticky_path = b.sticky_path;
  }
  if (!p.sticky_separator_set && b.sticky_separator_set) {
    p.sticky_separator_set = true;
    p.sticky_separator = b.sticky_separator;
  }
  if (p.timeout.count() == 0 && b.timeout.count() != 0) p.timeout = b.timeout;
  if (!p.max_attempts_set && b.max_attempts_set) {
    p.max_attempts_set = true;
    p.max_attempts = b.max_attempts;
  }
  if (!p.nonce_set && b.nonce_set) {
    p.nonce_set = true;
    p.nonce = b.nonce;
  }
  if (!p.sticky_force_set && b.sticky_force_set) {
    p.sticky_force_set = true;
    p.sticky_force = b.sticky_force;
  }
  if (!p.scolonsep_set && b.scolonsep_set) {
    p.scolonsep_set = true;
    p.scolonsep = b.scolonsep;
  }
  if (!p.forcerecovery_set && b.forcerecovery_set) {
    p.forcerecovery_set = true;
    p.forcerecovery = b.forcerecovery;
  }
  // Not shared in Apache: taken from the vhost when it set them, else the main server's. (Apache
  // marks the lbmethod as set on every balancer it defines, so the vhost's method always wins.)
  if (!over.params.growth_set) {
    p.growth = b.growth;
    p.growth_set = b.growth_set;
  }
  if (!over.params.failontimeout_set) {
    p.failontimeout = b.failontimeout;
    p.failontimeout_set = b.failontimeout_set;
  }
  // failonstatus: the vhost's list followed by the main server's, or the main server's alone.
  p.errstatuses = over.params.errstatuses;
  p.errstatuses.insert(p.errstatuses.end(), b.errstatuses.begin(), b.errstatuses.end());
  return out;
}

std::vector<Balancer> merge_balancers(const std::vector<Balancer>& base, const std::vector<Balancer>& over) {
  std::vector<Balancer> merged_over = over;
  std::vector<Balancer> out;
  for (const Balancer& b1 : base) {
    bool found = false;
    for (Balancer& b2 : merged_over) {
      if (b2.name != b1.name) continue;
      b2 = merge_balancer(b1, b2);
      found = true;
      break;
    }
    if (!found) out.push_back(b1);
  }
  out.insert(out.end(), merged_over.begin(), merged_over.end());
  return out;
}

} // namespace

ProxyServerConf merge_server_conf(const ProxyServerConf& base, const ProxyServerConf& over) {
  ProxyServerConf ps;
  ps.balancer_inherit = pick(over.balancer_inherit, base.balancer_inherit);
  ps.pass_inherit = pick(over.pass_inherit, base.pass_inherit);
  const bool inherit = ps.balancer_inherit.value_or(true);
  const bool ppinherit = ps.pass_inherit.value_or(true);

  ps.remotes = over.remotes;
  if (ppinherit) {
    ps.remotes = base.remotes;
    ps.remotes.insert(ps.remotes.end(), over.remotes.begin(), over.remotes.end());
  }
  const bool with_base_workers = inherit || ppinherit;
  if (with_base_workers) {
    ps.workers = base.workers;
    ps.workers.insert(ps.workers.end(), over.workers.begin(), over.workers.end());
    ps.balancers = merge_balancers(base.balancers, over.balancers);
  } else {
    ps.workers = over.workers;
    ps.balancers = over.balancers;
  }
  // Rules: always the main server's first, then the vhost's.
  for (ProxyPassRule r : base.rules) {
    if (!with_base_workers) r.worker.reset();
    ps.rules.push_back(std::move(r));
  }
  const std::size_t offset = with_base_workers ? base.workers.size() : 0;
  for (ProxyPassRule r : over.rules) {
    if (r.worker) *r.worker += offset;
    ps.rules.push_back(std::move(r));
  }

  ps.requests = pick(over.requests, base.requests);
  ps.via = pick(over.via, base.via);
  ps.bad_header = pick(over.bad_header, base.bad_header);
  ps.status = pick(over.status, base.status);
  ps.timeout = pick(over.timeout, base.timeout);
  ps.io_buffer_size = pick(over.io_buffer_size, base.io_buffer_size);
  ps.recv_buffer_size = pick(over.recv_buffer_size, base.recv_buffer_size);
  ps.max_forwards = pick(over.max_forwards, base.max_forwards);
  ps.source_address = pick(over.source_address, base.source_address);
  ps.domain = pick(over.domain, base.domain);
  ps.balancer_growth = pick(over.balancer_growth, base.balancer_growth);
  ps.balancer_persist = over.balancer_persist;
  ps.map_encoded_one = over.map_encoded_one || base.map_encoded_one;
  ps.map_encoded_all = over.map_encoded_all && base.map_encoded_all;
  ps.blocked = base.blocked;
  ps.blocked.insert(ps.blocked.end(), over.blocked.begin(), over.blocked.end());
  ps.no_proxy = base.no_proxy;
  ps.no_proxy.insert(ps.no_proxy.end(), over.no_proxy.begin(), over.no_proxy.end());
  // mod_proxy_hcheck has no merge: a vhost keeps its own templates and expressions.
  ps.hc_templates = over.hc_templates;
  ps.hc_conditions = over.hc_conditions;
  // Global-only settings live on the main server.
  ps.hc_tpsize = base.hc_tpsize;
  ps.heartbeat_storage = base.heartbeat_storage;
  ps.watchdog_interval = base.watchdog_interval;
  return ps;
}

} // namespace balancerd::directives::proxy
