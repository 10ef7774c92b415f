#pragma once
// The process-wide balancer state store. It outlives configuration snapshots: sync() binds each new
// configuration to the state kept from the previous one, so a graceful reload keeps counters, error
// states and (with BalancerPersist On) balancer-manager changes. Lookups on the request path are
// lock-free: sync() publishes an immutable index through an atomic pointer, and every state object
// ever published stays alive until the store is destroyed (in-flight requests may still hold one).
//
// Servers: index -1 is the main server, i >= 0 the i-th <VirtualHost> of Config::vhosts. A vhost's
// balancers and workers are those of its proxy config merged with the main server's
// (directives::proxy::merge_server_conf, which applies BalancerInherit/ProxyPassInherit). As in
// Apache, every server has its own copy (own counters) of an inherited balancer, while an inherited
// plain (ProxyPass) worker is the same worker as the main server's.
//
// What survives a reload, per balancer identity (server identity + balancer name) and member name:
//  * always: lbstatus, elected, busy, bytes, error state and time, retries, health-check counters;
//  * BalancerPersist On (for that server): also every manager change (balancer settings, member
//    lbfactor/lbset/route/redirect/status bits, members added at run time); the config's values for
//    an existing balancer are then ignored, as Apache does when it re-uses its shared slot;
//  * BalancerPersist Off: balancer settings and member parameters start again from the config.
// With BalancerPersist On the state is also saved to DefaultRuntimeDir/balancerd-balancers.state
// (after sync and on save()) and restored by the first sync of a new process.
#include "directives/model/config.hpp"
#include "server/balancer/balancer_state.hpp"
#include "server/balancer/worker_state.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::balancer {

struct StoreOptions {
  // Nonce generator for balancers without nonce= (default: a random version-4 UUID string).
  std::function<std::string()> make_nonce;
  // Overrides the persistence file path ("" = DefaultRuntimeDir/balancerd-balancers.state).
  std::string persist_path;
};

class StateStore {
public:
  explicit StateStore(StoreOptions options = {});
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Builds or re-binds the state for `config` and publishes it. Called at start and on every
  // graceful reload, from one thread at a time (it serialises itself).
  void sync(const directives::Config& config);

  // Lock-free lookups (nullptr when absent). `name` is "balancer://app" (case-insensitive);
  // `worker_name` a plain worker's normalised URL (directives::Worker::name).
  BalancerState* balancer(int server_index, std::string_view name) const;
  WorkerState* worker(int server_index, std::string_view worker_name) const;
  // The balancers of one server in configuration order (main server's inherited ones first, as the
  // merge lists them). Empty for an unknown index.
  std::vector<BalancerState*> balancers(int server_index) const;
  // Number of vhosts of the published config (valid indexes are -1 .. vhost_count()-1).
  int vhost_count() const;
  // Whether BalancerPersist / BalancerInherit / ProxyPassInherit are On for a server (the manager
  // page prints them).
  bool persist(int server_index) const;
  bool balancer_inherit(int server_index) const;
  bool pass_inherit(int server_index) const;

  // Writes the persistence file now (the manager calls this after a successful change). Returns
  // false if writing failed (nothing to do also counts as success).
  bool save() const;
  const std::string& persist_path() const;

  struct Index;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<const Index*> index_{nullptr};
};

} // namespace balancerd::balancer
