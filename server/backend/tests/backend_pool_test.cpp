#include "server/backend/backend_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <optional>

#include "server/backend/backend_pools.hpp"
#include "server/backend/tests/io_test_support.hpp"
#include "server/backend/tests/test_backend.hpp"

using namespace balancerd::backend;
using namespace balancerd::backend::testing;
using namespace std::chrono_literals;

namespace {

BackendSettings quick_settings() {
  BackendSettings s;
  s.connect_timeout = 200ms;
  s.io_timeout = 500ms;
  return s;
}

struct Got {
  bool done = false;
  BackendError err = BackendError::None;
  BackendLease lease;
};

// Starts an acquire whose result lands in `got`.
void acquire_into(BackendPool& pool, Got& got, AcquireOptions opt = {}) {
  pool.acquire(
      [&got](BackendError e, BackendLease l) {
        got.done = true;
        got.err = e;
        got.lease = std::move(l);
      },
      opt);
}

BackendLease acquire_sync(boost::asio::io_context& io, BackendPool& pool,
                          BackendError expect = BackendError::None, AcquireOptions opt = {}) {
  Got g;
  acquire_into(pool, g, opt);
  EXPECT_TRUE(run_until(io, [&] { return g.done; }));
  EXPECT_EQ(g.err, expect) << backend_error_name(g.err);
  return std::move(g.lease);
}

// One request/response on the lease (the backend answers kOk).
void round_trip(boost::asio::io_context& io, BackendLease& lease) {
  bool wrote = false, read = false;
  std::string got;
  lease->write(std::span<const char>(kRequest.data(), kRequest.size()), [&](BackendError e, std::size_t) {
    EXPECT_EQ(e, BackendError::None);
    wrote = true;
  });
  ASSERT_TRUE(run_until(io, [&] { return wrote; }));
  std::function<void()> more = [&] {
    lease->read_some([&](BackendError e, std::span<const char> d) {
      ASSERT_EQ(e, BackendError::None);
      got.append(d.data(), d.size());
      if (got.size() < kOk.size()) return more();
      read = true;
    });
  };
  more();
  ASSERT_TRUE(run_until(io, [&] { return read; }));
  EXPECT_EQ(got, kOk);
}

} // namespace

TEST(BackendPool, ReusesIdleConnection) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto pool = BackendPool::create(io, loopback(be.port()), quick_settings());
  std::uint64_t first_id;
  {
    auto l = acquire_sync(io, *pool);
    ASSERT_TRUE(l);
    EXPECT_FALSE(l->reused());
    first_id = l->id();
    round_trip(io, l);
    l.release(true);
  }
  EXPECT_EQ(pool->counters().idle, 1u);
  EXPECT_EQ(pool->counters().busy, 0u);
  auto l = acquire_sync(io, *pool);
  ASSERT_TRUE(l);
  EXPECT_TRUE(l->reused());
  EXPECT_EQ(l->requests_served(), 1u);
  EXPECT_EQ(l->id(), first_id);
  round_trip(io, l);
  l.release(true);
  auto c = pool->counters();
  EXPECT_EQ(c.created, 1u);
  EXPECT_EQ(c.reused, 1u);
  EXPECT_EQ(be.accepted(), 1);
  EXPECT_EQ(be.requests(), 2);
}

TEST(BackendPool, NotReusableReleaseCloses) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto pool = BackendPool::create(io, loopback(be.port()), quick_settings());
  {
    auto l = acquire_sync(io, *pool);
    round_trip(io, l);
    l.release(false);
  }
  { auto l = acquire_sync(io, *pool); } // dropped without release: closed too
  EXPECT_EQ(pool->counters().idle, 0u);
  EXPECT_EQ(pool->counters().busy, 0u);
  EXPECT_EQ(pool->counters().created, 2u);
  EXPECT_TRUE(run_until(io, [&] { return be.accepted() == 2 && be.open_connections() == 0; }));
}

TEST(BackendPool, DisableReuse) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto s = quick_settings();
  s.reuse = false;
  auto pool = BackendPool::create(io, loopback(be.port()), s);
  for (int i = 0; i < 3; ++i) {
    auto l = acquire_sync(io, *pool);
    round_trip(io, l);
    l.release(true);
  }
  auto c = pool->counters();
  EXPECT_EQ(c.created, 3u);
  EXPECT_EQ(c.reused, 0u);
  EXPECT_EQ(c.idle, 0u);
  EXPECT_EQ(be.accepted(), 3);
}

TEST(BackendPool, StaleIdleConnectionIsDetected) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto pool = BackendPool::create(io, loopback(be.port()), quick_settings());
  {
    auto l = acquire_sync(io, *pool);
    round_trip(io, l);
    l.release(true);
  }
  be.close_all(); // the backend's keep-alive timeout
  ASSERT_TRUE(run_until(io, [&] { return be.open_connections() == 0; }));
  run_for(io, 20ms); // let the FIN arrive
  auto l = acquire_sync(io, *pool);
  ASSERT_TRUE(l);
  EXPECT_FALSE(l->reused());
  round_trip(io, l);
  auto c = pool->counters();
  EXPECT_EQ(c.closed_stale, 1u);
  EXPECT_EQ(c.created, 2u);
  EXPECT_EQ(c.reused, 0u);
}

// Without the socket check (verify_idle false) the idle connection's pending read has seen the close.
TEST(BackendPool, StaleIdleConnectionIsDetectedWithoutTheSocketCheck) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto pool = BackendPool::create(io, loopback(be.port()), quick_settings());
  {
    auto l = acquire_sync(io, *pool);
    round_trip(io, l);
    l.release(true);
  }
  be.close_all();
  ASSERT_TRUE(run_until(io, [&] { return be.open_connections() == 0; }));
  run_for(io, 20ms); // the FIN reaches the idle connection's read
  AcquireOptions unverified;
  unverified.verify_idle = false;
  auto l = acquire_sync(io, *pool, BackendError::None, unverified);
  ASSERT_TRUE(l);
  EXPECT_FALSE(l->reused());
  round_trip(io, l);
  EXPECT_EQ(pool->counters().closed_stale, 1u);
}

// The idle connection's pending read becomes the next request's read: the answer arrives through it.
TEST(BackendPool, WatchedIdleConnectionServesTheNextRequest) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto pool = BackendPool::create(io, loopback(be.port()), quick_settings());
  for (int i = 0; i < 3; ++i) {
    AcquireOptions unverified;
    unverified.verify_idle = false;
    auto l = acquire_sync(io, *pool, BackendError::None, unverified);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->reused(), i > 0);
    run_for(io, 5ms); // the watch's read is queued and idle before the request goes out
    round_trip(io, l);
    l.release(true);
  }
  EXPECT_EQ(pool->counters().created, 1u);
  EXPECT_EQ(pool->counters().reused, 2u);
}

// take_idle_now hands out an idle connection within the call (no io loop pass) and nothing else: it
// never opens a connection, and answers empty when reuse is not allowed or the idle one is stale.
TEST(BackendPool, TakeIdleNowServesAnIdleConnectionInline) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto pool = BackendPool::create(io, loopback(be.port()), quick_settings());
  EXPECT_FALSE(pool->take_idle_now()); // none idle: the caller must acquire()
  EXPECT_EQ(pool->counters().busy, 0u);
  std::uint64_t first_id;
  {
    auto l = acquire_sync(io, *pool);
    first_id = l->id();
    round_trip(io, l);
    l.release(true);
  }
  AcquireOptions fresh;
  fresh.allow_reuse = false;
  EXPECT_FALSE(pool->take_idle_now(fresh));
  auto l = pool->take_idle_now();
  ASSERT_TRUE(l);
  EXPECT_EQ(l->id(), first_id);
  EXPECT_TRUE(l->reused());
  EXPECT_EQ(pool->counters().busy, 1u);
  EXPECT_EQ(pool->counters().idle, 0u);
  EXPECT_EQ(pool->counters().reused, 1u);
  round_trip(io, l);
  l.release(true);
  EXPECT_EQ(pool->counters().busy, 0u);
  EXPECT_EQ(pool->counters().idle, 1u);

  be.close_all(); // the idle connection goes stale: not handed out, counted
  ASSERT_TRUE(run_until(io, [&] { return be.open_connections() == 0; }));
  run_for(io, 20ms);
  EXPECT_FALSE(pool->take_idle_now());
  EXPECT_EQ(pool->counters().closed_stale, 1u);
  EXPECT_EQ(pool->counters().busy, 0u);
  EXPECT_EQ(pool->counters().created, 1u);

  pool->shutdown();
  EXPECT_FALSE(pool->take_idle_now());
}

TEST(BackendPool, MaxMakesAcquireWaitForRelease) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto s = quick_settings();
  s.max = 1;
  auto pool = BackendPool::create(io, loopback(be.port()), s);
  auto first = acquire_sync(io, *pool);
  ASSERT_TRUE(first);
  round_trip(io, first);
  Got second;
  acquire_into(*pool, second);
  run_for(io, 50ms);
  EXPECT_FALSE(second.done);
  EXPECT_EQ(pool->counters().waiting, 1u);
  EXPECT_EQ(pool->counters().waited, 1u);
  auto id = first->id();
  first.release(true);
  ASSERT_TRUE(run_until(io, [&] { return second.done; }));
  EXPECT_EQ(second.err, BackendError::None);
  EXPECT_EQ(second.lease->id(), id); // the released connection, reused
  EXPECT_EQ(pool->counters().waiting, 0u);
  EXPECT_EQ(pool->counters().created, 1u);
}

TEST(BackendPool, WaiterGetsNewConnectionWhenReleaseCloses) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto s = quick_settings();
  s.max = 1;
  auto pool = BackendPool::create(io, loopback(be.port()), s);
  auto first = acquire_sync(io, *pool);
  Got second;
  acquire_into(*pool, second);
  run_for(io, 20ms);
  EXPECT_FALSE(second.done);
  first.release(false);
  ASSERT_TRUE(run_until(io, [&] { return second.done; }));
  EXPECT_EQ(second.err, BackendError::None);
  EXPECT_EQ(pool->counters().created, 2u);
  EXPECT_EQ(pool->counters().busy, 1u);
}

TEST(BackendPool, AcquireTimeoutWhenFull) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto s = quick_settings();
  s.max = 1;
  s.acquire_timeout = 50ms;
  auto pool = BackendPool::create(io, loopback(be.port()), s);
  auto first = acquire_sync(io, *pool);
  ASSERT_TRUE(first);
  auto t0 = std::chrono::steady_clock::now();
  Got second;
  acquire_into(*pool, second);
  ASSERT_TRUE(run_until(io, [&] { return second.done; }));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(second.err, BackendError::AcquireTimeout);
  EXPECT_FALSE(second.lease);
  EXPECT_GE(took, 45ms);
  EXPECT_LT(took, 1000ms);
  EXPECT_EQ(pool->counters().acquire_timeouts, 1u);
  EXPECT_EQ(pool->counters().waiting, 0u);
  // The slot holder is unaffected, and a release after the timeout does not call the waiter again.
  first.release(true);
  run_for(io, 20ms);
  EXPECT_EQ(pool->counters().idle, 1u);
}

TEST(BackendPool, TtlExpiresIdleConnectionsAtAcquire) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto s = quick_settings();
  s.ttl = 50ms;
  s.smax = 5; // nothing expires at release: only the acquire check applies
  auto pool = BackendPool::create(io, loopback(be.port()), s);
  {
    auto l = acquire_sync(io, *pool);
    round_trip(io, l);
    l.release(true);
  }
  {
    auto l = acquire_sync(io, *pool); // young: reused
    EXPECT_TRUE(l->reused());
    round_trip(io, l);
    l.release(true);
  }
  run_for(io, 80ms);
  auto l = acquire_sync(io, *pool);
  EXPECT_FALSE(l->reused());
  auto c = pool->counters();
  EXPECT_EQ(c.closed_expired, 1u);
  EXPECT_EQ(c.created, 2u);
  EXPECT_EQ(c.reused, 1u);
}

TEST(BackendPool, TtlExpiresIdleAboveSmaxAtRelease) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto s = quick_settings();
  s.ttl = 50ms;
  s.smax = 1;
  auto pool = BackendPool::create(io, loopback(be.port()), s);
  auto a = acquire_sync(io, *pool);
  auto b = acquire_sync(io, *pool);
  auto c = acquire_sync(io, *pool);
  a.release(true);
  b.release(true);
  EXPECT_EQ(pool->counters().idle, 2u);
  run_for(io, 80ms);
  c.release(true);
  // a and b are expired and above smax; c is fresh.
  EXPECT_EQ(pool->counters().closed_expired, 2u);
  EXPECT_EQ(pool->counters().idle, 1u);
}

// Without ttl= a release takes no time reading; a reload that turns ttl= on counts the idle
// connections' time from then, so they are neither expired at once nor kept past the new ttl.
TEST(BackendPool, TtlTurnedOnByAReloadCountsIdleTimeFromTheReload) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto s = quick_settings();
  s.smax = 5;
  auto pool = BackendPool::create(io, loopback(be.port()), s);
  {
    auto l = acquire_sync(io, *pool);
    round_trip(io, l);
    l.release(true);
  }
  s.ttl = 60ms;
  pool->update_settings(s);
  {
    auto l = acquire_sync(io, *pool); // idle for less than ttl since the reload: reused
    EXPECT_TRUE(l->reused());
    round_trip(io, l);
    l.release(true);
  }
  run_for(io, 90ms);
  auto l = acquire_sync(io, *pool);
  EXPECT_FALSE(l->reused());
  EXPECT_EQ(pool->counters().closed_expired, 1u);
}

TEST(BackendPool, FreshConnectionWhenReuseNotAllowed) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto s = quick_settings();
  s.max = 1;
  auto pool = BackendPool::create(io, loopback(be.port()), s);
  {
    auto l = acquire_sync(io, *pool);
    l.release(true);
  }
  AcquireOptions fresh;
  fresh.allow_reuse = false;
  auto l = acquire_sync(io, *pool, BackendError::None, fresh);
  ASSERT_TRUE(l);
  EXPECT_FALSE(l->reused());
  // At max=1 the idle connection was closed to make room.
  auto c = pool->counters();
  EXPECT_EQ(c.created, 2u);
  EXPECT_EQ(c.idle, 0u);
  EXPECT_EQ(c.busy, 1u);
}

TEST(BackendPool, ConnectFailureFreesTheSlot) {
  ClosedPort closed;
  boost::asio::io_context io;
  auto s = quick_settings();
  s.max = 1;
  auto pool = BackendPool::create(io, loopback(closed.port()), s);
  for (int i = 0; i < 2; ++i) {
    auto l = acquire_sync(io, *pool, BackendError::Refused);
    EXPECT_FALSE(l);
  }
  auto c = pool->counters();
  EXPECT_EQ(c.connect_failures, 2u);
  EXPECT_EQ(c.busy, 0u);
  EXPECT_EQ(c.created, 0u);
}

TEST(BackendPool, ResolveFailure) {
  boost::asio::io_context io;
  BackendEndpoint ep;
  ep.host = "no-such-host.invalid";
  ep.port = 80;
  auto pool = BackendPool::create(io, ep, quick_settings());
  auto l = acquire_sync(io, *pool, BackendError::Resolve);
  EXPECT_FALSE(l);
}

TEST(BackendPool, AddressesCachedForAddressTtl) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto s = quick_settings();
  s.reuse = false;
  auto pool = BackendPool::create(io, loopback(be.port()), s);
  for (int i = 0; i < 3; ++i) acquire_sync(io, *pool).release(true);
  EXPECT_EQ(pool->addresses().resolutions(), 1u);
  s.address_ttl = 0; // resolve on every connect
  pool->update_settings(s);
  for (int i = 0; i < 2; ++i) acquire_sync(io, *pool).release(true);
  EXPECT_EQ(pool->addresses().resolutions(), 3u);
}

TEST(BackendPool, UnixSocketPool) {
  auto path = temp_socket_path("pool");
  TestBackend be(kOk, TestBackend::Mode::KeepAlive, path);
  boost::asio::io_context io;
  auto pool = BackendPool::create(io, *BackendEndpoint::from_url("unix:" + path + "|http://localhost/"),
                                  quick_settings());
  for (int i = 0; i < 3; ++i) {
    auto l = acquire_sync(io, *pool);
    round_trip(io, l);
    l.release(true);
  }
  EXPECT_EQ(pool->counters().created, 1u);
  EXPECT_EQ(pool->counters().reused, 2u);
  EXPECT_EQ(be.accepted(), 1);
}

TEST(BackendPool, CloseIdleAndShutdown) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto s = quick_settings();
  s.max = 1;
  auto pool = BackendPool::create(io, loopback(be.port()), s);
  acquire_sync(io, *pool).release(true);
  EXPECT_EQ(pool->counters().idle, 1u);
  pool->close_idle();
  EXPECT_EQ(pool->counters().idle, 0u);
  auto held = acquire_sync(io, *pool);
  Got waiter;
  acquire_into(*pool, waiter);
  run_for(io, 10ms);
  pool->shutdown();
  ASSERT_TRUE(run_until(io, [&] { return waiter.done; }));
  EXPECT_EQ(waiter.err, BackendError::Aborted);
  held.release(true); // closed, not kept
  EXPECT_EQ(pool->counters().idle, 0u);
  acquire_sync(io, *pool, BackendError::Aborted);
}

TEST(BackendPools, OnePoolPerWorkerPerIoContext) {
  TestBackend be(kOk);
  boost::asio::io_context io, other;
  auto& pools = BackendPools::of(io);
  EXPECT_EQ(&pools, &BackendPools::of(io));
  EXPECT_NE(&pools, &BackendPools::of(other));
  auto s = quick_settings();
  auto a = pools.get("http://127.0.0.1:1", loopback(be.port()), s);
  auto b = pools.get("http://127.0.0.1:1", loopback(be.port()), s);
  auto c = pools.get("http://other", loopback(be.port()), s);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(pools.find("http://other"), c);
  EXPECT_EQ(pools.find("nothing"), nullptr);
  // New settings apply to the same pool; a new endpoint replaces it.
  s.max = 3;
  EXPECT_EQ(pools.get("http://127.0.0.1:1", loopback(be.port()), s), a);
  EXPECT_EQ(a->settings().max, 3);
  auto d = pools.get("http://127.0.0.1:1", loopback(static_cast<std::uint16_t>(be.port() + 1)), s);
  EXPECT_NE(d, a);
  EXPECT_EQ(pools.size(), 2u);
}

TEST(BackendPools, CloseIdleEverywhereTakesEffectAtNextGet) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto& pools = BackendPools::of(io);
  auto s = quick_settings();
  auto pool = pools.get("w", loopback(be.port()), s);
  acquire_sync(io, *pool).release(true);
  EXPECT_EQ(pool->counters().idle, 1u);
  BackendPools::close_idle_everywhere();
  EXPECT_EQ(pool->counters().idle, 1u);
  pools.get("w", loopback(be.port()), s);
  EXPECT_EQ(pool->counters().idle, 0u);
}

TEST(BackendPools, IoContextDestroyedWithIdleLeasedAndWaiting) {
  TestBackend be(kOk);
  std::optional<boost::asio::io_context> io(std::in_place);
  BackendLease held;
  {
    auto s = quick_settings();
    s.max = 2;
    auto pool = BackendPools::of(*io).get("w", loopback(be.port()), s);
    acquire_sync(*io, *pool).release(true);
    held = acquire_sync(*io, *pool);
    auto second = acquire_sync(*io, *pool);
    Got waiter;
    acquire_into(*pool, waiter);
    run_for(*io, 10ms);
    EXPECT_FALSE(waiter.done);
    second.release(true);
    run_until(*io, [&] { return waiter.done; });
    waiter.lease.release(true);
  }
  held.release(true); // the registry still holds the pool
  io.reset();         // shuts the pools down with the io_context
  SUCCEED();
}
