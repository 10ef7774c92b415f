#pragma once
// A worker's connections on one io thread (Apache keeps one pool per worker per child process; an
// io thread plays the part of a child here, so nothing on the request path takes a lock).
// acquire() hands out a connected BackendLease: an idle connection checked to be still open (most
// recently used first), or a new one (address resolved and cached per address_ttl, connected with
// connectiontimeout). At max= connections the caller waits for a release, up to acquire=.
// Idle connections older than ttl= are closed instead of reused; above smax= they are also closed
// when a connection is released. disablereuse=On closes every connection on release.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "server/backend/address_cache.hpp"
#include "server/backend/backend_connection.hpp"
#include "server/backend/backend_endpoint.hpp"
#include "server/backend/backend_settings.hpp"

namespace balancerd::backend {

class BackendPool;

// Counters for tests and server-status.
struct PoolCounters {
  std::uint64_t created = 0;          // connections opened
  std::uint64_t reused = 0;           // acquires served by an idle connection
  std::uint64_t closed_stale = 0;     // idle connections found closed by the backend at acquire
  std::uint64_t closed_expired = 0;   // idle connections closed for ttl (at acquire or release)
  std::uint64_t connect_failures = 0; // connects that failed (any BackendError)
  std::uint64_t acquire_timeouts = 0; // waiters that gave up after acquire=
  std::uint64_t waited = 0;           // acquires that had to queue
  std::size_t idle = 0;               // now: idle connections in the pool
  std::size_t busy = 0;               // now: leased (or connecting) connections
  std::size_t waiting = 0;            // now: queued acquires
};

// Ownership of a connection taken from a pool. Give it back with release(); a lease destroyed
// without release() closes its connection (the safe choice after an error) and frees the slot.
class BackendLease {
public:
  BackendLease() = default;
  BackendLease(BackendLease&& o) noexcept;
  BackendLease& operator=(BackendLease&& o) noexcept;
  ~BackendLease();

  explicit operator bool() const noexcept { return conn_ != nullptr; }
  BackendConnection& conn() const noexcept { return *conn_; }
  BackendConnection* operator->() const noexcept { return conn_.get(); }

  // Returns the connection to the pool: kept idle for the next request when reusable (and the
  // pool's settings allow reuse), else closed. Counts the request as served on it.
  void release(bool reusable) noexcept;

private:
  friend class BackendPool;
  BackendLease(std::shared_ptr<BackendPool> pool, std::unique_ptr<BackendConnection> conn) noexcept
      : pool_(std::move(pool)), conn_(std::move(conn)) {}
  std::shared_ptr<BackendPool> pool_;
  std::unique_ptr<BackendConnection> conn_;
};

struct AcquireOptions {
  // false: always open a new connection (the retry after a reused connection failed, env
  // proxy-initial-not-pooled). The pool's max still applies.
  bool allow_reuse = true;
  // Whether an idle connection is checked on its socket (Apache's is_socket_connected: a recv with
  // MSG_PEEK) before it is handed out. false skips that system call: for a request that can be sent
  // again on a fresh connection if the reused one turns out closed (the engine's retry_fresh), the
  // check per request is not worth it.
  bool verify_idle = true;
};

class BackendPool : public std::enable_shared_from_this<BackendPool> {
public:
  using Clock = std::chrono::steady_clock;
  // err is None and lease valid, or err says why not (connect errors, AcquireTimeout).
  using AcquireCallback = std::function<void(BackendError err, BackendLease lease)>;

  // Pools live in shared_ptrs (leases keep them alive); see BackendPools for the per-thread registry.
  static std::shared_ptr<BackendPool> create(boost::asio::io_context& io, BackendEndpoint ep,
                                             BackendSettings settings);
  ~BackendPool();
  BackendPool(const BackendPool&) = delete;
  BackendPool& operator=(const BackendPool&) = delete;

  // Must be called on the io thread that owns the pool. cb runs later (never inside acquire()).
  void acquire(AcquireCallback cb, AcquireOptions opt = {});

  // An idle connection handed out at once, checked as acquire() checks it, without a callback or a
  // pass through the io loop (posting the result cost an operation allocation, the scheduler's lock
  // and a loop pass per request, and an idle connection is the common case). Empty when none can be
  // used (reuse off, none idle, all stale or expired): then call acquire(), which opens one or waits.
  BackendLease take_idle_now(AcquireOptions opt = {});

  // Closes the idle connections (graceful reload, shutdown); leased ones close when released.
  void close_idle() noexcept;
  // After shutdown no connection is kept: idle ones are closed, releases close, waiters fail (Aborted).
  void shutdown() noexcept;

  // New settings after a reload (same endpoint): applies to later acquires and releases.
  void update_settings(const BackendSettings& s);

  const BackendEndpoint& endpoint() const noexcept { return endpoint_; }
  const BackendSettings& settings() const noexcept { return settings_; }
  PoolCounters counters() const noexcept;
  const AddressCache& addresses() const noexcept { return addresses_; }

private:
  struct Waiter;
  friend class BackendLease;
  BackendPool(boost::asio::io_context& io, BackendEndpoint ep, BackendSettings settings);
  void give_back(std::unique_ptr<BackendConnection> conn, bool reusable) noexcept;
  bool try_start(AcquireCallback& cb, AcquireOptions opt);
  bool has_room() const noexcept;
  std::unique_ptr<BackendConnection> take_idle(Clock::time_point now, bool verify) noexcept;
  void open_new(AcquireCallback cb);
  void connect_failed(AcquireCallback cb, BackendError err);
  void expire_idle(Clock::time_point now) noexcept;
  void serve_waiters() noexcept;
  void post_result(AcquireCallback cb, BackendError err, std::unique_ptr<BackendConnection> conn);

  boost::asio::io_context& io_;
  BackendEndpoint endpoint_;
  BackendSettings settings_;
  AddressCache addresses_;
  std::vector<std::unique_ptr<BackendConnection>> idle_; // back = most recently released
  std::vector<std::unique_ptr<BackendConnection>> connecting_;
  std::deque<std::shared_ptr<Waiter>> waiters_;
  std::size_t busy_ = 0;
  bool shut_down_ = false;
  PoolCounters counters_;
};

} // namespace balancerd::backend
