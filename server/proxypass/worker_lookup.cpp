#include "server/proxypass/worker_lookup.hpp"

#include "directives/modules/proxy_workers.hpp"

namespace balancerd::proxypass {

// The directives library's lookups take mutable references because config building adds to what
// they find; they do not modify anything themselves, so a read-only use is safe.
const directives::Worker* find_worker(const directives::ProxyServerConf& conf, std::string_view url) {
  return directives::proxy::find_worker(const_cast<directives::ProxyServerConf&>(conf), nullptr, url, 0);
}

const directives::Balancer* find_balancer(const directives::ProxyServerConf& conf, std::string_view url) {
  // A proxied request asks with the balancer's key itself ("balancer://name", lowered by
  // pass_match); names are such keys, unique without regard to case, so an exact match is the one
  // the general lookup (key extraction, case-folding compare) would find.
  for (const directives::Balancer& b : conf.balancers)
    if (b.name == url) return &b;
  return directives::proxy::find_balancer(const_cast<directives::ProxyServerConf&>(conf), url);
}

} // namespace balancerd::proxypass
