#pragma once
// The process-wide balancer state store. It outlives configuration snapshots: sync() binds each new
// configuration to the state kept from the previous one as Apache's BalancerPersist rules say (see
// below). Lookups on the request path are lock-free: sync() publishes an immutable index through an
// atomic pointer, and every state object ever published stays alive until the store is destroyed
// (in-flight requests may still hold one; a reload that replaces objects costs a few hundred bytes
// per worker, kept until exit).
//
// Servers: index -1 is the main server, i >= 0 the i-th <VirtualHost> of Config::vhosts. A vhost's
// balancers and workers are those of its proxy config merged with the main server's
// (directives::proxy::merge_server_conf, which applies BalancerInherit/ProxyPassInherit). As in
// Apache, every server has its own copy (own counters) of an inherited balancer, while an inherited
// plain (ProxyPass) worker is the same worker as the main server's.
//
// What survives a reload, as apache2 2.4.71 does it (verified on loopback: manager changes,
// requests, `apache2 -k graceful`, then the manager page):
//  * BalancerPersist Off (that server): nothing. Apache re-creates its shared memory, so every
//    balancer starts again from the config: counters (Elected, Load, To/From) at 0, error states
//    gone, manager changes and members added at run time lost, a fresh nonce unless configured.
//    Plain ProxyPass workers live in child memory and start afresh on every reload too.
//  * BalancerPersist On: a balancer of the same identity (server identity + name) keeps its
//    settings, whatever the config now says (timeout, stickysession... of the config are ignored).
//    Its members are matched slot by slot: when members + growth did not shrink, config member j
//    keeps slot j's whole state (counters, status bits, lbfactor, route...) if slot j held the same
//    URL, else starts from the config; slots past the configured members (members added through the
//    manager) stay. When members + growth shrank, every member starts from the config.
//    The state is also written to DefaultRuntimeDir/balancerd-balancers.state (after each sync, on
//    save() and when the store is destroyed) and read by the first sync of a new process, so it
//    survives a full restart as Apache's slotmem-shm-*.persist files do.
// StoreOptions::keep_state_without_persist relaxes the first rule (lbstatus, elected, bytes,
// retries and the error state of members and plain workers of the same name survive; settings and
// member parameters come from the config; busy stays with the old objects, whose in-flight requests
// release it), for operators who prefer that to Apache's reset.
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
  // See above; false = what Apache does.
  bool keep_state_without_persist = false;
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

  // The merged proxy config of a server as of the last sync (defaults for a member added through
  // the manager, hc expressions...); null for an unknown index. Lives as long as the store.
  const directives::ProxyServerConf* proxy_conf(int server_index) const;

  // A new worker state owned by the store (balancer-manager's "add member"); thread-safe.
  WorkerState& create_worker(const directives::Worker& config);

  // Writes the persistence file now (the manager calls this after a successful change). Returns
  // false if writing failed (nothing to do also counts as success).
  bool save() const;
  const std::string& persist_path() const;

  struct Index;

private:
  struct Impl;
  bool save_locked(const Index* idx) const;
  std::unique_ptr<Impl> impl_;
  std::atomic<const Index*> index_{nullptr};
};

} // namespace balancerd::balancer
