// Several threads selecting, releasing, editing through the manager and reloading at once: the
// counters must add up (run under -fsanitize=thread to check for data races too).
#include "server/balancer/manager_ops.hpp"
#include "server/balancer/tests/balancer_test_support.hpp"

#include <thread>
#include <vector>

namespace balancerd::balancer::test {
namespace {

TEST(Concurrency, SelectReleaseEditAndReloadTogether) {
  TempDir dir;
  StateStore store;
  auto cfg = compile(dir, R"(BalancerPersist On
<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" route=r1
    BalancerMember "http://127.0.0.1:2" route=r2 loadfactor=2
    BalancerMember "http://127.0.0.1:3" route=r3
    ProxySet stickysession=S
</Proxy>)");
  ASSERT_TRUE(cfg);
  store.sync(*cfg);
  BalancerState* b = store.balancer(-1, "balancer://c");
  ASSERT_NE(b, nullptr);

  constexpr int kThreads = 4;
  constexpr int kRequests = 4000;
  std::atomic<long> chosen{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRequests; ++i) {
        BalancerState* cur = store.balancer(-1, "balancer://c");
        const std::string cookie = (i % 3 == 0) ? "S=x.r" + std::to_string(1 + (i + t) % 3) : "";
        Selection s = select(*cur, facts("balancer://c/x", cookie, at(i)));
        if (s.status != SelectStatus::Chosen) continue;
        chosen.fetch_add(1);
        (void)s.env();
        release(*s.worker, 10, 20);
      }
    });
  }
  std::thread manager([&] {
    int n = 0;
    while (!stop.load()) {
      BalancerState* cur = store.balancer(-1, "balancer://c");
      WorkerEdit e;
      e.w_lf = std::to_string(1 + n % 3);
      e.w_status_D = (n % 2) ? "1" : "0";
      e.w_wr = "r" + std::to_string(1 + n % 3);
      apply_worker_edit(cur, cur->member(n % 3), e, true, {});
      (void)cur->view();
      ++n;
    }
    for (std::size_t i = 0; i < 3; ++i) {
      WorkerEdit enable;
      enable.w_status_D = "0";
      apply_worker_edit(b, b->member(i), enable, true, {});
    }
  });
  std::thread reloader([&] {
    for (int i = 0; i < 20 && !stop.load(); ++i) store.sync(*cfg);
  });
  for (std::thread& th : threads) th.join();
  stop.store(true);
  manager.join();
  reloader.join();

  // Persist On and an unchanged config: the same balancer object all along.
  EXPECT_EQ(store.balancer(-1, "balancer://c"), b);
  std::uint64_t elected = 0, transferred = 0, read = 0;
  for (std::size_t i = 0; i < b->size(); ++i) {
    const WorkerState& w = b->member(i);
    elected += w.elected.load();
    transferred += w.transferred.load();
    read += w.read.load();
    EXPECT_EQ(w.busy.load(), 0);
  }
  EXPECT_EQ(static_cast<long>(elected), chosen.load());
  EXPECT_EQ(static_cast<long>(transferred), chosen.load() * 10);
  EXPECT_EQ(static_cast<long>(read), chosen.load() * 20);
  EXPECT_GT(chosen.load(), kThreads * kRequests / 2);
}

TEST(Concurrency, ByrequestsSharesStayExactUnderContention) {
  TempDir dir;
  StateStore store;
  auto cfg = compile(dir, R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" loadfactor=1
    BalancerMember "http://127.0.0.1:2" loadfactor=3
</Proxy>)");
  ASSERT_TRUE(cfg);
  store.sync(*cfg);
  BalancerState* b = store.balancer(-1, "balancer://c");
  ASSERT_NE(b, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        Selection s = select(*b, facts("balancer://c/"));
        release(*s.worker, 0, 0);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  // 8000 picks under the lock: exactly 1/4 and 3/4, and the Load sum back at zero.
  EXPECT_EQ(b->member(0).elected.load(), 2000u);
  EXPECT_EQ(b->member(1).elected.load(), 6000u);
  EXPECT_EQ(b->member(0).lbstatus.load() + b->member(1).lbstatus.load(), 0);
}

} // namespace
} // namespace balancerd::balancer::test
