// bybusyness, bytraffic and heartbeat, and the lbmethod reset after a change through the manager.
#include "server/balancer/lbmethods.hpp"
#include "server/balancer/manager_ops.hpp"
#include "server/balancer/tests/balancer_test_support.hpp"

namespace balancerd::balancer::test {
namespace {

struct Fixture {
  TempDir dir;
  StateStore store;
  BalancerState* b = nullptr;
  explicit Fixture(const std::string& text) {
    auto cfg = compile(dir, text);
    if (!cfg) return;
    store.sync(*cfg);
    b = store.balancer(-1, "balancer://c");
  }
};

TEST(Bybusyness, LeastBusyWinsThenLbstatusBreaksTies) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1"
    BalancerMember "http://127.0.0.1:2"
    BalancerMember "http://127.0.0.1:3"
    ProxySet lbmethod=bybusyness
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  // Requests that stay open spread over the members.
  Selection a = select(*f.b, facts("balancer://c/"));
  Selection b = select(*f.b, facts("balancer://c/"));
  Selection c = select(*f.b, facts("balancer://c/"));
  EXPECT_EQ(port_of(a), 1);
  EXPECT_EQ(port_of(b), 2);
  EXPECT_EQ(port_of(c), 3);
  // Member 2 finishes: it is now the least busy.
  release(*b.worker, 0, 0);
  Selection d = select(*f.b, facts("balancer://c/"));
  EXPECT_EQ(port_of(d), 2);
  // An idle balancer behaves like byrequests.
  release(*a.worker, 0, 0);
  release(*c.worker, 0, 0);
  release(*d.worker, 0, 0);
  EXPECT_EQ(sequence(*f.b, 3), "1 3 1");
}

TEST(Bybusyness, WeightsMatterOnlyAmongEquallyBusy) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" loadfactor=1
    BalancerMember "http://127.0.0.1:2" loadfactor=3
    ProxySet lbmethod=bybusyness
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(sequence(*f.b, 4), "2 1 2 2");
  f.b->member(1).busy.store(5);
  EXPECT_EQ(sequence(*f.b, 2), "1 1");
}

TEST(Bytraffic, FewestBytesPerFactorWins) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" loadfactor=1
    BalancerMember "http://127.0.0.1:2" loadfactor=2
    ProxySet lbmethod=bytraffic
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(sequence(*f.b, 2), "1 1"); // no traffic yet: ties go to the first
  Selection s = select(*f.b, facts("balancer://c/"));
  release(*s.worker, 1000, 500); // member 1: 1500/100 = 15
  EXPECT_EQ(port_of(select(*f.b, facts("balancer://c/"))), 2);
  count_bytes(f.b->member(1), 2000, 1000); // member 2: 3000/200 = 15: tie -> first
  EXPECT_EQ(port_of(select(*f.b, facts("balancer://c/"))), 1);
  count_bytes(f.b->member(1), 0, 1); // 20/2 rounding: 2000/200 + 1001/200 = 10 + 5 = 15 still
  EXPECT_EQ(port_of(select(*f.b, facts("balancer://c/"))), 1);
  count_bytes(f.b->member(1), 0, 199); // 1200/200 = 6: 16 > 15
  EXPECT_EQ(port_of(select(*f.b, facts("balancer://c/"))), 1);
  count_bytes(f.b->member(0), 200, 0); // 1200/100 + 500/100 = 17
  EXPECT_EQ(port_of(select(*f.b, facts("balancer://c/"))), 2);
  // Counters are not touched by the pick.
  EXPECT_EQ(f.b->member(0).lbstatus.load(), 0);
}

TEST(Heartbeat, ParsesMonitorFile) {
  const HeartbeatTable t = parse_heartbeats("# comment\n"
                                            "10.0.0.1 &ready=40&busy=10&lastseen=2&port=8080\n"
                                            "10.0.0.2 &ready=100&busy=0&lastseen=1&port=80\n"
                                            "garbage-without-space\n"
                                            "10.0.0.3 &READY=8&Busy=1&lastseen=30\n"
                                            "10.0.0.4 &ready=5&busy=1");
  ASSERT_EQ(t.servers.size(), 4u);
  EXPECT_EQ(t.servers[0], (HeartbeatServer{"10.0.0.1", 10, 40, 2, 8080}));
  // Idle with free slots: a quarter of them (a backend that just started is not flooded).
  EXPECT_EQ(t.servers[1], (HeartbeatServer{"10.0.0.2", 0, 25, 1, 80}));
  EXPECT_EQ(t.servers[2], (HeartbeatServer{"10.0.0.3", 1, 8, 30, 80}));
  // A last line without its newline loses its last byte, as in Apache ("busy=" -> busy 0 -> ready/4).
  EXPECT_EQ(t.servers[3], (HeartbeatServer{"10.0.0.4", 0, 1, -1, 80}));
  EXPECT_EQ(t.find("10.0.0.3")->ready, 8);
  EXPECT_EQ(t.find("10.0.0.9"), nullptr);
}

// Keys and values are %-unescaped; a '%' without two hex digits after it stays as it is.
TEST(Heartbeat, UnescapesKeysAndValues) {
  const HeartbeatTable t = parse_heartbeats("10.0.0.5 &re%61dy=1%32&busy=%31&port=8%30%38%31&lastseen=4\n"
                                            "10.0.0.6 &ready=7&busy=2&po%zzrt=99&lastseen=1%\n");
  ASSERT_EQ(t.servers.size(), 2u);
  EXPECT_EQ(t.servers[0], (HeartbeatServer{"10.0.0.5", 1, 12, 4, 8081}));
  EXPECT_EQ(t.servers[1], (HeartbeatServer{"10.0.0.6", 2, 7, 1, 80}));
}

TEST(Heartbeat, WeightedPickOverFreshUsableMembers) {
  Fixture f(R"(HeartbeatStorage hb.dat
<Proxy "balancer://c">
    BalancerMember "http://10.0.0.1:8080"
    BalancerMember "http://10.0.0.2:80"
    BalancerMember "http://10.0.0.3:80"
    BalancerMember "http://10.0.0.4:80"
    ProxySet lbmethod=heartbeat
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  f.dir.write("logs/hb.dat", "10.0.0.1 &ready=10&busy=1&lastseen=1&port=8080\n"
                             "10.0.0.2 &ready=30&busy=2&lastseen=3&port=80\n"
                             "10.0.0.3 &ready=50&busy=2&lastseen=10&port=80\n");
  // 10.0.0.3 is stale (lastseen >= 10), 10.0.0.4 unknown: slots 10 + 30 = 40, pick in [0, 40].
  std::uint32_t seen_max = 0;
  auto pick_with = [&](std::uint32_t value) {
    RequestFacts rf = facts("balancer://c/");
    rf.random_pick = [&, value](std::uint32_t max) {
      seen_max = max;
      return value;
    };
    return port_of(select(*f.b, rf));
  };
  EXPECT_EQ(pick_with(0), 8080);
  EXPECT_EQ(seen_max, 40u);
  EXPECT_EQ(pick_with(9), 8080);
  EXPECT_EQ(pick_with(10), 80); // on the boundary the later entry wins
  EXPECT_EQ(pick_with(40), 80);
  EXPECT_EQ(f.b->member(1).hostname(), "10.0.0.2");
  // An unusable member drops out.
  f.b->member(1).set_bits(directives::kWorkerDisabled);
  EXPECT_EQ(pick_with(10), 8080);
}

TEST(Heartbeat, MissingFileMeansNoWorker) {
  Fixture f(R"(HeartbeatStorage hb.dat
<Proxy "balancer://c">
    BalancerMember "http://10.0.0.1:8080"
    ProxySet lbmethod=heartbeat
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  Selection s = select(*f.b, facts("balancer://c/"));
  EXPECT_EQ(s.status, SelectStatus::Unavailable);
  ASSERT_EQ(s.logs.size(), 2u);
  EXPECT_EQ(s.logs[0].text,
            "AH01213: lb_heartbeat: Unable to read heartbeats at '" + f.dir.dir() + "/logs/hb.dat'");
}

// apache2 computes the default before DefaultRuntimeDir is read: it stays in the compiled-in runtime
// directory (the fixture's DefaultRuntimeDir is its temp dir); a relative HeartbeatStorage follows it.
TEST(Heartbeat, DefaultStorageIgnoresDefaultRuntimeDir) {
  Fixture dflt(R"(<Proxy "balancer://c">
    BalancerMember "http://10.0.0.1:8080"
    ProxySet lbmethod=heartbeat
</Proxy>)");
  ASSERT_NE(dflt.b, nullptr);
  {
    std::lock_guard lock(dflt.b->mutex());
    EXPECT_EQ(dflt.b->heartbeat_path_locked(), "/var/run/apache2/hb.dat");
  }
  Fixture rel(R"(HeartbeatStorage sub/hb.dat
<Proxy "balancer://c">
    BalancerMember "http://10.0.0.1:8080"
    ProxySet lbmethod=heartbeat
</Proxy>)");
  ASSERT_NE(rel.b, nullptr);
  std::lock_guard lock(rel.b->mutex());
  EXPECT_EQ(rel.b->heartbeat_path_locked(), rel.dir.dir() + "/logs/sub/hb.dat");
}

TEST(Reset, LbmethodChangeResetsCountersOnNextRequest) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" loadfactor=1
    BalancerMember "http://127.0.0.1:2" loadfactor=2
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  sequence(*f.b, 1);
  Selection open = select(*f.b, facts("balancer://c/"));
  EXPECT_EQ(f.b->member(0).lbstatus.load(), -100);
  BalancerEdit edit;
  edit.b_lbm = "bybusyness";
  apply_balancer_edit(f.store, *f.b, edit, *f.store.proxy_conf(-1));
  EXPECT_TRUE(f.b->reset_pending());
  EXPECT_EQ(f.b->member(0).lbstatus.load(), -100); // only at the next sync
  // bybusyness's reset clears lbstatus and busy.
  Selection s = select(*f.b, facts("balancer://c/"));
  EXPECT_FALSE(f.b->reset_pending());
  EXPECT_EQ(port_of(s), 2);
  EXPECT_EQ(f.b->member(0).lbstatus.load(), 100);
  EXPECT_EQ(f.b->member(1).lbstatus.load(), -100);
  EXPECT_EQ(f.b->member(0).busy.load(), 0);
  EXPECT_EQ(f.b->member(1).busy.load(), 1);
}

} // namespace
} // namespace balancerd::balancer::test
