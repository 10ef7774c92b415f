#include "server/backend/backend_pools.hpp"

#include <atomic>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>

namespace balancerd::backend {

namespace asio = boost::asio;

namespace {

std::atomic<std::uint64_t> close_generation{0};
// Counts PoolsService destructions: a thread's cached lookup (see of()) is trusted only while no
// registry has gone away since, as a new io_context may reuse a destroyed one's address.
std::atomic<std::uint64_t> services_destroyed{0};

// Ties a thread's registry to its io_context: created on first use, shut down (idle sockets closed,
// waiters failed) when the io_context shuts down, before the socket services go away.
class PoolsService : public asio::execution_context::service {
public:
  static asio::execution_context::id id;
  explicit PoolsService(asio::execution_context& ctx)
      : asio::execution_context::service(ctx), pools(static_cast<asio::io_context&>(ctx)) {}
  ~PoolsService() override { services_destroyed.fetch_add(1, std::memory_order_release); }
  BackendPools pools;

private:
  void shutdown() override { pools.shutdown(); }
};

asio::execution_context::id PoolsService::id;

} // namespace

BackendPools::~BackendPools() {
  shutdown();
}

// Called for every proxied request: use_service takes the io_context's registry mutex, so the
// calling thread remembers its last answer.
BackendPools& BackendPools::of(asio::io_context& io) {
  struct Last {
    asio::io_context* io = nullptr;
    BackendPools* pools = nullptr;
    std::uint64_t destroyed = 0;
  };
  thread_local Last last;
  const auto destroyed = services_destroyed.load(std::memory_order_acquire);
  if (last.io == &io && last.destroyed == destroyed) return *last.pools;
  BackendPools& pools = asio::use_service<PoolsService>(static_cast<asio::execution_context&>(io)).pools;
  last = {&io, &pools, destroyed};
  return pools;
}

std::shared_ptr<BackendPool> BackendPools::get(std::string_view worker_name, const BackendEndpoint& ep,
                                               const BackendSettings& settings) {
  const auto gen = close_generation.load(std::memory_order_relaxed);
  if (gen != seen_generation_) {
    seen_generation_ = gen;
    close_idle();
  }
  auto it = pools_.find(worker_name);
  if (it != pools_.end()) {
    auto& pool = it->second;
    if (pool->endpoint() != ep) {
      pool->shutdown();
      pool = BackendPool::create(io_, ep, settings);
    } else if (pool->settings() != settings) {
      pool->update_settings(settings);
    }
    return pool;
  }
  auto pool = BackendPool::create(io_, ep, settings);
  pools_.emplace(std::string(worker_name), pool);
  return pool;
}

std::shared_ptr<BackendPool> BackendPools::find(std::string_view worker_name) const {
  auto it = pools_.find(worker_name);
  return it == pools_.end() ? nullptr : it->second;
}

std::shared_ptr<const BackendTlsContext> BackendPools::tls_context(const BackendTlsOptions& opt,
                                                                   std::string& error) {
  for (const auto& c : tls_contexts_)
    if (c->options() == opt) return c;
  auto c = BackendTlsContext::create(opt, error);
  if (c) {
    // Bounded: settings no longer in use (after reloads) go first.
    if (tls_contexts_.size() >= 32) tls_contexts_.erase(tls_contexts_.begin());
    tls_contexts_.push_back(c);
  }
  return c;
}

void BackendPools::close_idle() noexcept {
  for (auto& [name, pool] : pools_) pool->close_idle();
}

void BackendPools::close_idle_everywhere() noexcept {
  close_generation.fetch_add(1, std::memory_order_relaxed);
}

void BackendPools::shutdown() noexcept {
  for (auto& [name, pool] : pools_) pool->shutdown();
  pools_.clear();
  tls_contexts_.clear();
}

} // namespace balancerd::backend
