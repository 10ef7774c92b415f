// byrequests and the lbset / spare / standby / drain framework, against the sequences apache2
// produced (apache-captures.md §1) and the rules of ap_proxy_balancer_get_best_worker. The spare,
// drain, standby, lbset+standby and 1.5:1 sequences were also checked against apache2 2.4.71 on
// loopback (members with status=+I and maxattempts=0, chosen worker read from AH01172 debug lines).
#include "server/balancer/lbmethods.hpp"
#include "server/balancer/tests/balancer_test_support.hpp"

namespace balancerd::balancer::test {
namespace {

struct Fixture {
  TempDir dir;
  StateStore store;
  BalancerState* b = nullptr;
  explicit Fixture(const std::string& proxy_section) {
    auto cfg = compile(dir, proxy_section);
    if (!cfg) return;
    store.sync(*cfg);
    b = store.balancer(-1, "balancer://c");
  }
};

TEST(Byrequests, CapturedSequenceWithWeightsAndStandby) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:18101" route=b1 loadfactor=1
    BalancerMember "http://127.0.0.1:18102" route=b2 loadfactor=2
    BalancerMember "http://127.0.0.1:18103" route=b3 status=+H
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(sequence(*f.b, 7), "18102 18101 18102 18102 18101 18102 18102");
  // The manager's Load and Elected columns after those seven requests.
  EXPECT_EQ(f.b->member(0).lbstatus.load(), 100);
  EXPECT_EQ(f.b->member(1).lbstatus.load(), -100);
  EXPECT_EQ(f.b->member(2).lbstatus.load(), 0);
  EXPECT_EQ(f.b->member(0).elected.load(), 2u);
  EXPECT_EQ(f.b->member(1).elected.load(), 5u);
  EXPECT_EQ(f.b->member(2).elected.load(), 0u);
}

TEST(Byrequests, EqualWeightsRoundRobinTiesToEarlier) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1"
    BalancerMember "http://127.0.0.1:2"
    BalancerMember "http://127.0.0.1:3"
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(sequence(*f.b, 6), "1 2 3 1 2 3");
}

TEST(Byrequests, WeightsThreeToOne) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" loadfactor=3
    BalancerMember "http://127.0.0.1:2" loadfactor=1
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  // 300/100: a gets 3 of every 4, with b in the middle of the period.
  EXPECT_EQ(sequence(*f.b, 8), "1 1 2 1 1 1 2 1");
  long sum = 0;
  for (std::size_t i = 0; i < f.b->size(); ++i) sum += f.b->member(i).lbstatus.load();
  EXPECT_EQ(sum, 0);
}

TEST(Byrequests, FractionalLoadFactors) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" loadfactor=1.5
    BalancerMember "http://127.0.0.1:2" loadfactor=1
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(f.b->member(0).lbfactor.load(), 150);
  // 150/100: a period of five, three to a.
  EXPECT_EQ(sequence(*f.b, 10), "1 2 1 2 1 1 2 1 2 1");
}

TEST(Framework, LowerLbsetPreferredWhileUsable) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" lbset=1
    BalancerMember "http://127.0.0.1:2" lbset=0
    BalancerMember "http://127.0.0.1:3" lbset=1
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(sequence(*f.b, 3), "2 2 2");
  f.b->member(1).set_bits(directives::kWorkerDisabled);
  EXPECT_EQ(sequence(*f.b, 4), "1 3 1 3");
}

TEST(Framework, StandbyOfALowerTierBeatsHigherTiers) {
  // apache2 2.4.71: 28434 28434 28434 28434.
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" status=+D lbset=0
    BalancerMember "http://127.0.0.1:2" lbset=1
    BalancerMember "http://127.0.0.1:3" lbset=1
    BalancerMember "http://127.0.0.1:4" status=+H lbset=0
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(sequence(*f.b, 4), "4 4 4 4");
}

TEST(Framework, HotStandbyOnlyWhenTierEmpty) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1"
    BalancerMember "http://127.0.0.1:2" status=+H
    BalancerMember "http://127.0.0.1:3" status=+H
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(sequence(*f.b, 2), "1 1");
  f.b->member(0).set_bits(directives::kWorkerInError);
  f.b->member(0).set_error_time(at(0));
  // Standbys share the load (byrequests among them) once the tier has nothing else.
  EXPECT_EQ(sequence(*f.b, 4, "balancer://c/x", {}, at(1)), "2 3 2 3");
}

TEST(Framework, SparesReplaceUnusableMembersOneForOne) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1"
    BalancerMember "http://127.0.0.1:2"
    BalancerMember "http://127.0.0.1:3" status=+R
    BalancerMember "http://127.0.0.1:4" status=+R
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(sequence(*f.b, 4), "1 2 1 2");
  f.b->member(0).set_bits(directives::kWorkerDisabled);
  // One member down: one spare (the first) joins.
  EXPECT_EQ(sequence(*f.b, 4), "2 3 2 3");
  f.b->member(1).set_bits(directives::kWorkerStopped);
  EXPECT_EQ(sequence(*f.b, 4), "3 4 3 4");
}

TEST(Framework, DrainingMemberNotElectedAndCountsAsHoleForSpares) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" status=+N
    BalancerMember "http://127.0.0.1:2"
    BalancerMember "http://127.0.0.1:3" status=+R
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(sequence(*f.b, 4), "2 3 2 3");
}

TEST(Framework, NoUsableMemberAnywhere) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" status=+D
    BalancerMember "http://127.0.0.1:2" status=+N
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  Selection s = select(*f.b, facts("balancer://c/"));
  EXPECT_EQ(s.status, SelectStatus::Unavailable);
  EXPECT_EQ(s.http_status, 503);
  ASSERT_EQ(s.logs.size(), 1u);
  EXPECT_EQ(s.logs[0].text, "AH01170: balancer://c: All workers are in error state");
  EXPECT_TRUE(s.env().empty());
}

TEST(Framework, ElectedAndBusyCountedOncePerSelection) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1"
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  Selection s1 = select(*f.b, facts("balancer://c/"));
  Selection s2 = select(*f.b, facts("balancer://c/"));
  WorkerState& w = f.b->member(0);
  EXPECT_EQ(w.elected.load(), 2u);
  EXPECT_EQ(w.busy.load(), 2);
  release(*s1.worker, 10, 20);
  release(*s2.worker, 1, 2);
  EXPECT_EQ(w.busy.load(), 0);
  release(w, 0, 0); // never below zero
  EXPECT_EQ(w.busy.load(), 0);
  EXPECT_EQ(w.transferred.load(), 11u);
  EXPECT_EQ(w.read.load(), 22u);
}

TEST(Framework, EnvForALoadBalancedRequest) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:18101" route=b1
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  Selection s = select(*f.b, facts("balancer://c/x"));
  ASSERT_EQ(s.status, SelectStatus::Chosen);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"BALANCER_NAME", "balancer://c"},
      {"BALANCER_WORKER_NAME", "http://127.0.0.1:18101"},
      {"BALANCER_WORKER_ROUTE", "b1"},
  };
  EXPECT_EQ(s.env(), want); // not sticky: no BALANCER_ROUTE_CHANGED
  EXPECT_TRUE(s.notes().empty());
}

TEST(Framework, RewriteUrlKeepsThePathAndQuery) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:18101"
    BalancerMember "http://127.0.0.1:18102/base"
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(rewrite_url(f.b->member(0), "balancer://c/x/y?q=1"), "http://127.0.0.1:18101/x/y?q=1");
  EXPECT_EQ(rewrite_url(f.b->member(1), "balancer://c/x"), "http://127.0.0.1:18102/base/x");
  EXPECT_EQ(rewrite_url(f.b->member(0), "balancer://c"), "http://127.0.0.1:18101");
}

} // namespace
} // namespace balancerd::balancer::test
