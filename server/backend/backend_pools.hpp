#pragma once
// The pools of one io thread, keyed by worker. Kept as a service of the thread's io_context, so the
// pools (and their sockets) go away with the io_context and never cross threads.
// Typical use on the request path:
//   auto& pools = BackendPools::of(*net::this_thread_io_context());
//   auto pool = pools.get(worker.name, endpoint, settings);
//   pool->acquire([...](BackendError e, BackendLease lease) { ... });
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/backend/backend_pool.hpp"

namespace balancerd::backend {

class BackendPools {
public:
  explicit BackendPools(boost::asio::io_context& io) noexcept : io_(io) {}
  ~BackendPools();

  // The registry of io's thread (created on first use). Call on that thread.
  static BackendPools& of(boost::asio::io_context& io);

  // The pool for a worker: name is the worker's name (pools are per worker, as Apache's; two
  // workers for the same endpoint have separate pools). A pool whose endpoint changed is replaced
  // (its idle connections closed); changed settings are applied to the existing pool.
  std::shared_ptr<BackendPool> get(std::string_view worker_name, const BackendEndpoint& ep,
                                   const BackendSettings& settings);
  // Null when no pool exists for the name.
  std::shared_ptr<BackendPool> find(std::string_view worker_name) const;

  // The client TLS context for these SSLProxy* settings, built once per thread and reused while the
  // settings stay the same (loading CA files is too slow for the request path). Null with `error`
  // set when the files cannot be loaded. Put it in BackendSettings::tls for an https endpoint.
  std::shared_ptr<const BackendTlsContext> tls_context(const BackendTlsOptions& opt, std::string& error);

  // Closes idle connections of every pool of this thread.
  void close_idle() noexcept;
  // Thread-safe: every thread's registry closes its idle connections at its next get() (a reload
  // or shutdown requested from the signal thread).
  static void close_idle_everywhere() noexcept;
  // Closes everything and fails waiters (the io_context is going away).
  void shutdown() noexcept;

  std::size_t size() const noexcept { return pools_.size(); }

private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  boost::asio::io_context& io_;
  std::unordered_map<std::string, std::shared_ptr<BackendPool>, Hash, std::equal_to<>> pools_;
  std::uint64_t seen_generation_ = 0;
  std::vector<std::shared_ptr<const BackendTlsContext>> tls_contexts_; // few: one per distinct setting
};

} // namespace balancerd::backend
