#include "server/manager/added_workers.hpp"

#include <deque>
#include <memory>
#include <mutex>

#include "directives/modules/proxy_workers.hpp"

namespace balancerd::manager {

namespace {

struct Added {
  directives::Worker config;
  std::unique_ptr<balancer::WorkerState> state;
};

// Never shrinks: added members stay valid for the life of the process.
struct Registry {
  std::mutex mu;
  std::deque<Added> added;
};

Registry& registry() {
  static Registry* r = new Registry; // leaked on purpose: balancers may point at its workers at exit
  return *r;
}

} // namespace

balancer::WorkerState* define_added_worker(std::string_view url, const std::string& balancer_name,
                                           const directives::ProxyServerConf& server, std::string& error) {
  directives::Worker config;
  if (auto err = directives::proxy::make_worker(url, directives::proxy::kPrefix, true, config)) {
    error = *err;
    return nullptr;
  }
  config.balancer = balancer_name;
  directives::proxy::copy_conf_params(config.params, server);
  auto state = std::make_unique<balancer::WorkerState>(config);
  state->set_bits(directives::kWorkerDisabled); // Apache: "by default, all new workers are disabled"
  auto& r = registry();
  std::lock_guard lock(r.mu);
  r.added.push_back(Added{std::move(config), std::move(state)});
  return r.added.back().state.get();
}

const directives::Worker* added_worker_config(const balancer::WorkerState* worker) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  for (const auto& a : r.added)
    if (a.state.get() == worker) return &a.config;
  return nullptr;
}

} // namespace balancerd::manager
