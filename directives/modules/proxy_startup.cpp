#include "directives/modules/proxy_startup.hpp"

#include "directives/modules/proxy_params.hpp"

#include <algorithm>

namespace balancerd::directives::proxy {

namespace {

bool loaded(const Config& config, std::string_view source) {
  return std::any_of(config.modules.begin(), config.modules.end(),
                     [&](const LoadedModule& m) { return m.source == source; });
}

bool lbmethod_loaded(const Config& config, const std::string& name) {
  return std::any_of(config.modules.begin(), config.modules.end(),
                     [&](const LoadedModule& m) { return lbmethod_of_module(m.source) == name; });
}

} // namespace

std::vector<StartupMessage> startup_errors(const Config& config) {
  // Balancers are only set up by mod_proxy_balancer; without it none of this runs.
  if (!loaded(config, "mod_proxy_balancer.c")) return {};
  if (!loaded(config, "mod_slotmem_shm.c"))
    return {{"proxy_balancer", "emerg",
             "AH01177: Failed to lookup provider 'shm' for 'slotmem': is mod_slotmem_shm loaded??"}};
  std::vector<const ServerConf*> servers{&config.main};
  for (const ServerConf& v : config.vhosts) servers.push_back(&v);
  for (const ServerConf* s : servers) {
    for (const Balancer& b : s->proxy.balancers) {
      if (lbmethod_loaded(config, b.params.lbmethod)) continue;
      return {{"proxy", "crit", "AH02432: Cannot find LB Method: " + b.params.lbmethod},
              {"proxy_balancer", "emerg", "(22)Invalid argument: AH01183: Cannot share balancer"}};
    }
  }
  return {};
}

} // namespace balancerd::directives::proxy
