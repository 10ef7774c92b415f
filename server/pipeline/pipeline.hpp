#pragma once
// The request path, in Apache's phase order: vhost selection; post_read_request (mod_remoteip,
// RequestHeader early, server-level SetEnvIf); TraceEnable; translate (mod_alias redirects and
// aliases); the per-request configuration (server/runtime; <If> evaluated over the request);
// header_parser (per-directory SetEnvIf); access checks (Require); fixups (SetEnv, RequestHeader);
// the handler (SetHandler server-status, or the static-file handler); Apache's error and redirect
// pages. Each request gets a RequestState (pooled per thread) that lives until the connection
// reports the response finished; mod_headers' output rules run on every response head (the
// connection's head hook) and the access-log line is written when it finishes.
//
// The configuration is published as a snapshot; a reload stores a new one and bumps a generation
// counter. Each thread keeps its own copy of the current snapshot pointer and re-reads it only when
// the generation changed, so the request path takes no lock.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "server/net/exchange.hpp"
#include "server/pipeline/snapshot.hpp"

namespace balancerd::balancer {
class StateStore;
}
namespace balancerd::proxy {
class ProxyEngine;
}

namespace balancerd::pipeline {

struct RequestState;

// The long-lived objects the request path hands requests to. They outlive every snapshot (created
// once by run_server); null in tests that serve no proxied requests (those then get a 500).
struct Services {
  proxy::ProxyEngine* proxy = nullptr;
  balancer::StateStore* store = nullptr; // balancer-manager's state
};

class Pipeline : public net::RequestHandler {
public:
  explicit Pipeline(std::shared_ptr<const Snapshot> first, Services services = {});
  // Publishes a new configuration for requests that start from now on.
  void publish(std::shared_ptr<const Snapshot> next);
  std::shared_ptr<const Snapshot> current() const;
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  void handle(net::Exchange& ex) override;
  void on_head(net::Exchange& ex, http::ResponseHead& head, bool error_page) override;
  void finished(net::Exchange& ex, const net::ExchangeOutcome& outcome) override;

  // Process start time and request counters, for server-status.
  std::int64_t started_sec() const { return started_; }
  std::uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  // Requests whose state is still held (handed out and not yet finished), for tests.
  static std::size_t states_in_use_this_thread();

private:
  const Snapshot& snapshot_for_thread(std::shared_ptr<const Snapshot>& hold);
  void run(net::Exchange& ex, RequestState& state, const Snapshot& snap);

  mutable std::mutex publish_mutex_; // only publish() and a thread's first look after a reload take it
  std::shared_ptr<const Snapshot> current_;
  std::atomic<std::uint64_t> generation_{1};
  std::uint64_t id_;
  std::int64_t started_;
  std::atomic<std::uint64_t> requests_{0};
  Services services_;
};

} // namespace balancerd::pipeline
