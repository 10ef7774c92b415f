#pragma once
// mod_proxy's handler: serves a request the translate step mapped to a backend. For a balancer URL it
// asks the balancer state (server/balancer) for a member (sticky route, lbmethod, failover loop with
// maxattempts), then forwards over a pooled backend connection (mod_proxy_http semantics), streams
// the response back, and records the outcome (errors, retry timers, failonstatus, bytes).
// One engine per process, shared by all io threads; it owns the per-thread connection pools.
#include <memory>

#include "server/net/exchange.hpp"
#include "server/pipeline/request_state.hpp"
#include "server/proxypass/proxy_target.hpp"

namespace balancerd::balancer {
class StateStore;
}

namespace balancerd::proxy {

class ProxyEngine {
public:
  explicit ProxyEngine(balancer::StateStore& store);
  ~ProxyEngine();
  ProxyEngine(const ProxyEngine&) = delete;
  ProxyEngine& operator=(const ProxyEngine&) = delete;

  // Runs on the connection's thread. Answers through `ex` (a backend response, or Apache's
  // 502/503/504 page); `state` stays valid until the response has completed.
  void handle(net::Exchange& ex, pipeline::RequestState& state, proxypass::ProxyTarget target);

  // Drops idle pooled connections (graceful reload, shutdown). Safe from any thread.
  void close_idle();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace balancerd::proxy
