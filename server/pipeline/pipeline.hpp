#pragma once
// The request path: for each request, the vhost and per-request configuration (server/runtime),
// TraceEnable, mod_alias redirects and aliases, access checks (Require), the handler (SetHandler
// server-status, or the static-file handler), and Apache's error and redirect pages.
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

namespace balancerd::pipeline {

class Pipeline : public net::RequestHandler {
public:
  explicit Pipeline(std::shared_ptr<const Snapshot> first);
  // Publishes a new configuration for requests that start from now on.
  void publish(std::shared_ptr<const Snapshot> next);
  std::shared_ptr<const Snapshot> current() const;
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  void handle(net::Exchange& ex) override;

  // Process start time and request counters, for server-status.
  std::int64_t started_sec() const { return started_; }
  std::uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }

private:
  const Snapshot& snapshot_for_thread(std::shared_ptr<const Snapshot>& hold);

  mutable std::mutex publish_mutex_; // only publish() and a thread's first look after a reload take it
  std::shared_ptr<const Snapshot> current_;
  std::atomic<std::uint64_t> generation_{1};
  std::uint64_t id_;
  std::int64_t started_;
  std::atomic<std::uint64_t> requests_{0};
};

} // namespace balancerd::pipeline
