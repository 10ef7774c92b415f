// balancer-manager edits with Apache's acceptance rules (apache-captures.md §3), the status strings,
// and the health-check state machine.
#include "server/balancer/health_state.hpp"
#include "server/balancer/manager_ops.hpp"
#include "server/balancer/tests/balancer_test_support.hpp"

namespace balancerd::balancer::test {
namespace {

using namespace directives;

struct Fixture {
  TempDir dir;
  StateStore store;
  BalancerState* b = nullptr;
  explicit Fixture(const std::string& text = R"(<Proxy "balancer://rc">
    BalancerMember "http://127.0.0.1:18101" route=r1
    BalancerMember "http://127.0.0.1:18102" route=r2
    ProxySet stickysession=ROUTEID
</Proxy>)") {
    auto cfg = compile(dir, text);
    if (!cfg) return;
    store.sync(*cfg);
    b = store.balancer(-1, "balancer://rc");
  }
  std::string status_after(const WorkerEdit& e) {
    apply_worker_edit(b, b->member(1), e, true, {});
    return status_string(b->member(1).status());
  }
};

TEST(StatusString, ApacheOrderAndOk) {
  EXPECT_EQ(status_string(kWorkerInitialized), "Init Ok ");
  EXPECT_EQ(status_string(kWorkerInitialized | kWorkerDisabled), "Init Dis ");
  EXPECT_EQ(status_string(kWorkerInitialized | kWorkerInError), "Init Err ");
  EXPECT_EQ(status_string(kWorkerInitialized | kWorkerHotStandby | kWorkerDrain | kWorkerDisabled |
                          kWorkerIgnoreErrors),
            "Init Ign Drn Dis Stby ");
  EXPECT_EQ(status_string(kWorkerInitialized | kWorkerHotSpare), "Init Spar Ok ");
  EXPECT_EQ(status_string(kWorkerInitialized | kWorkerHcFail), "Init HcFl ");
  EXPECT_EQ(status_string(0), "??? ");
  EXPECT_EQ(status_string(kWorkerDisabled), "Dis ");
}

TEST(WorkerEdit, CapturedUpdateSequence) {
  Fixture f;
  ASSERT_NE(f.b, nullptr);
  WorkerState& r1 = f.b->member(0);
  WorkerEdit e;
  e.w_lf = "5";
  e.w_status_D = "1";
  e.w_ls = "1";
  e.w_rr = "r2";
  apply_worker_edit(f.b, r1, e, true, {});
  WorkerView v = r1.view();
  EXPECT_EQ(v.lbfactor, 500);
  EXPECT_EQ(v.lbset, 1);
  EXPECT_EQ(v.route, "r1");
  EXPECT_EQ(v.redirect, "r2");
  EXPECT_EQ(status_string(v.status), "Init Dis ");
  // recalc_factors: Load = factor for every member.
  EXPECT_EQ(v.lbstatus, 500);
  EXPECT_EQ(f.b->member(1).lbstatus.load(), 100);

  // The captured flag walk on the second member.
  auto edit = [](std::initializer_list<std::pair<char, const char*>> flags) {
    WorkerEdit w;
    for (auto [c, v] : flags) {
      switch (c) {
      case 'I':
        w.w_status_I = v;
        break;
      case 'N':
        w.w_status_N = v;
        break;
      case 'D':
        w.w_status_D = v;
        break;
      case 'H':
        w.w_status_H = v;
        break;
      case 'R':
        w.w_status_R = v;
        break;
      case 'S':
        w.w_status_S = v;
        break;
      case 'C':
        w.w_status_C = v;
        break;
      }
    }
    return w;
  };
  EXPECT_EQ(f.status_after(edit({{'D', "0"}, {'S', "1"}})), "Init Stop ");
  EXPECT_EQ(f.status_after(edit({{'S', "0"}, {'I', "1"}})), "Init Ign Ok ");
  EXPECT_EQ(f.status_after(edit({{'I', "0"}, {'N', "1"}})), "Init Drn Ok ");
  EXPECT_EQ(f.status_after(edit({{'N', "0"}, {'H', "1"}})), "Init Stby Ok ");
  EXPECT_EQ(f.status_after(edit({{'H', "0"}, {'R', "1"}})), "Init Spar Ok ");
  EXPECT_EQ(f.status_after(edit({{'R', "0"}, {'C', "1"}})), "Init HcFl ");
  EXPECT_EQ(f.status_after(edit({{'C', "0"}, {'D', "1"}, {'I', "1"}, {'N', "1"}, {'H', "1"}})),
            "Init Ign Drn Dis Stby ");
  WorkerEdit back = edit({{'D', "0"}, {'I', "0"}, {'N', "0"}, {'H', "0"}});
  back.w_lf = "1";
  back.w_ls = "0";
  back.w_rr = "";
  EXPECT_EQ(f.status_after(back), "Init Ok ");
  EXPECT_EQ(f.b->member(1).lbfactor.load(), 100);
  EXPECT_EQ(f.b->member(1).redirect(), "");
  // The member came back: need_reset is set, but (as in one apache2 child) the reset waits for a sync
  // that sees a new balancer stamp; the load values stay as they are until then.
  EXPECT_FALSE(f.b->reset_pending());
  f.b->member(0).lbstatus.store(-100);
  {
    std::lock_guard lock(f.b->mutex());
    f.b->apply_pending_reset_locked();
  }
  EXPECT_EQ(f.b->member(0).lbstatus.load(), -100);
  f.b->mark_stale(); // a reload with BalancerPersist, or an lbmethod change
  EXPECT_TRUE(f.b->reset_pending());
  {
    std::lock_guard lock(f.b->mutex());
    f.b->apply_pending_reset_locked();
  }
  EXPECT_FALSE(f.b->reset_pending());
  EXPECT_EQ(f.b->member(0).lbstatus.load(), 0);
}

TEST(WorkerEdit, RefusedValuesAreIgnoredOrClear) {
  Fixture f;
  ASSERT_NE(f.b, nullptr);
  WorkerState& w = f.b->member(0);
  WorkerEdit e;
  e.w_lf = "0.5"; // below 1.00
  e.w_ls = "100";
  e.w_wr = std::string(64, 'x'); // too long: cleared
  e.w_hi = "50";                 // below 100 ms
  e.w_hp = "0";
  e.w_hf = "-1";
  e.w_hm = "BOGUS";
  apply_worker_edit(f.b, w, e, true, {});
  EXPECT_EQ(w.lbfactor.load(), 100);
  EXPECT_EQ(w.lbset.load(), 0);
  EXPECT_EQ(w.route(), "");
  EXPECT_EQ(w.hc_interval_us.load(), 30'000'000);
  EXPECT_EQ(w.hc_passes.load(), 1);
  EXPECT_EQ(w.hc_fails.load(), 1);
  EXPECT_EQ(w.hc_method.load(), static_cast<int>(HcMethod::None));
  WorkerEdit ok;
  ok.w_lf = "100";
  ok.w_wr = std::string(63, 'y');
  ok.w_hi = "2s";
  ok.w_hp = "3";
  ok.w_hf = "2";
  ok.w_hm = "get11";
  ok.w_hu = "/health";
  ok.w_he = "ok234";
  apply_worker_edit(f.b, w, ok, true, {HcCondition{"OK234", "%{REQUEST_STATUS} =~ /^[234]/"}});
  EXPECT_EQ(w.lbfactor.load(), 10000);
  EXPECT_EQ(w.route(), std::string(63, 'y'));
  EXPECT_EQ(w.hc_interval_us.load(), 2'000'000);
  EXPECT_EQ(w.hc_passes.load(), 3);
  EXPECT_EQ(w.hc_fails.load(), 2);
  EXPECT_EQ(w.hc_method.load(), static_cast<int>(HcMethod::Get11));
  EXPECT_EQ(w.hc_uri(), "/health");
  EXPECT_EQ(w.hc_expr(), "ok234");
  // An unknown expression clears; TCP cannot have one.
  WorkerEdit bad;
  bad.w_he = "nosuch";
  apply_worker_edit(f.b, w, bad, true, {});
  EXPECT_EQ(w.hc_expr(), "");
  WorkerEdit tcp;
  tcp.w_he = "ok234";
  tcp.w_hm = "TCP";
  apply_worker_edit(f.b, w, tcp, true, {HcCondition{"ok234", "x"}});
  EXPECT_EQ(w.hc_expr(), "");
}

TEST(WorkerEdit, SingleMemberFactorIsAlways100) {
  Fixture f(R"(<Proxy "balancer://rc">
    BalancerMember "http://127.0.0.1:1"
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  WorkerEdit e;
  e.w_lf = "7";
  apply_worker_edit(f.b, f.b->member(0), e, true, {});
  EXPECT_EQ(f.b->member(0).lbfactor.load(), 100);
  EXPECT_EQ(f.b->member(0).lbstatus.load(), 100);
}

TEST(BalancerEdit, CapturedUpdate) {
  Fixture f;
  ASSERT_NE(f.b, nullptr);
  BalancerEdit e;
  e.b_lbm = "bybusyness";
  e.b_tmo = "5";
  e.b_max = "3";
  e.b_sforce = "1";
  e.b_ss = "SESS|sess";
  EXPECT_EQ(apply_balancer_edit(f.store, *f.b, e, *f.store.proxy_conf(-1)).http_status, 200);
  const BalancerSettings s = f.b->settings();
  EXPECT_EQ(s.lbmethod, "bybusyness");
  EXPECT_EQ(s.timeout, std::chrono::seconds(5));
  EXPECT_EQ(s.max_attempts, 3);
  EXPECT_TRUE(s.sticky_force);
  EXPECT_EQ(s.sticky, "SESS");
  EXPECT_EQ(s.sticky_path, "sess");
  // Out-of-range values are ignored; "-" removes stickiness; an unknown method is ignored.
  BalancerEdit bad;
  bad.b_lbm = "roundrobin";
  bad.b_tmo = "7201";
  bad.b_max = "100";
  bad.b_ss = "-";
  apply_balancer_edit(f.store, *f.b, bad, *f.store.proxy_conf(-1));
  const BalancerSettings t = f.b->settings();
  EXPECT_EQ(t.lbmethod, "bybusyness");
  EXPECT_EQ(t.timeout, std::chrono::seconds(5));
  EXPECT_EQ(t.max_attempts, 3);
  EXPECT_EQ(t.sticky, "");
  EXPECT_EQ(t.sticky_path, "");
  BalancerEdit same;
  same.b_ss = "";
  same.b_sforce = "0";
  apply_balancer_edit(f.store, *f.b, same, *f.store.proxy_conf(-1));
  EXPECT_FALSE(f.b->settings().sticky_force);
  EXPECT_EQ(f.b->settings().sticky, "");
}

TEST(BalancerEdit, AddMemberNeedsAFreeSlot) {
  Fixture f;
  ASSERT_NE(f.b, nullptr);
  BalancerEdit add;
  add.b_wyes = "1";
  add.b_nwrkr = "http://127.0.0.1:18103";
  const EditResult r = apply_balancer_edit(f.store, *f.b, add, *f.store.proxy_conf(-1));
  EXPECT_EQ(r.http_status, 400); // growth 0: the captured 400
  ASSERT_TRUE(r.log);
  EXPECT_EQ(*r.log, "AH10164: balancer://rc: failed to add worker http://127.0.0.1:18103");
  EXPECT_EQ(f.b->size(), 2u);
}

TEST(BalancerEdit, AddMemberWithinGrowthStartsDisabled) {
  Fixture f(R"(ProxyTimeout 17
<Proxy "balancer://rc">
    BalancerMember "http://127.0.0.1:18101" route=r1
    ProxySet growth=1
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  BalancerEdit add;
  add.b_wyes = "1";
  add.b_nwrkr = "HTTP://127.0.0.1:18103";
  EXPECT_EQ(apply_balancer_edit(f.store, *f.b, add, *f.store.proxy_conf(-1)).http_status, 200);
  ASSERT_EQ(f.b->size(), 2u);
  WorkerState& w = f.b->member(1);
  EXPECT_EQ(w.name(), "http://127.0.0.1:18103");
  EXPECT_EQ(status_string(w.status()), "Init Dis ");
  // What the engine connects with: the URL's parts and the server's proxy defaults.
  EXPECT_EQ(w.config().scheme, "http");
  EXPECT_EQ(w.config().port, 18103);
  EXPECT_EQ(w.config().balancer, "balancer://rc");
  EXPECT_EQ(w.config().params.timeout, std::chrono::seconds(17));
  EXPECT_EQ(f.b->member(0).config().params.route, "r1");
  // Not chosen until enabled.
  EXPECT_EQ(sequence(*f.b, 2, "balancer://rc/"), "18101 18101");
  WorkerEdit enable;
  enable.w_status_D = "0";
  apply_worker_edit(f.b, w, enable, true, {});
  EXPECT_EQ(sequence(*f.b, 2, "balancer://rc/"), "18101 18103");
  // Full now; an existing member is refused too; b_wyes must be exactly "1".
  add.b_nwrkr = "http://127.0.0.1:18104";
  EXPECT_EQ(apply_balancer_edit(f.store, *f.b, add, *f.store.proxy_conf(-1)).http_status, 400);
  BalancerEdit no;
  no.b_wyes = "yes";
  no.b_nwrkr = "http://127.0.0.1:18105";
  EXPECT_EQ(apply_balancer_edit(f.store, *f.b, no, *f.store.proxy_conf(-1)).http_status, 200);
  EXPECT_EQ(f.b->size(), 2u);
}

TEST(BalancerEdit, AddMemberRejectsABadUrl) {
  Fixture f(R"(<Proxy "balancer://rc">
    BalancerMember "http://127.0.0.1:18101"
    ProxySet growth=2
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  BalancerEdit add;
  add.b_wyes = "1";
  add.b_nwrkr = "not a url";
  const EditResult r = apply_balancer_edit(f.store, *f.b, add, *f.store.proxy_conf(-1));
  EXPECT_EQ(r.http_status, 400);
  ASSERT_TRUE(r.log);
  EXPECT_EQ(*r.log, "AH10163: balancer://rc: failed to add worker not a url");
}

TEST(BalancerView, ConsistentCopy) {
  Fixture f;
  ASSERT_NE(f.b, nullptr);
  const BalancerView v = f.b->view();
  EXPECT_EQ(v.name, "balancer://rc");
  EXPECT_EQ(v.max_members, 2u);
  EXPECT_EQ(v.vpath, "/");
  ASSERT_EQ(v.members.size(), 2u);
  EXPECT_EQ(v.members[0].name, "http://127.0.0.1:18101");
  EXPECT_EQ(v.members[1].route, "r2");
  EXPECT_EQ(v.settings.sticky, "ROUTEID");
  EXPECT_EQ(f.b->find_member("HTTP://127.0.0.1:18102"), &f.b->member(1));
  EXPECT_EQ(f.b->find_member("http://127.0.0.1:18102/some/path"), &f.b->member(1));
  EXPECT_EQ(f.b->find_member("http://127.0.0.1:18109"), nullptr);
}

// mod_proxy_hcheck's names, as AH03251 prints them and the manager's form sends them back.
TEST(HealthCheck, MethodNames) {
  EXPECT_STREQ(hc_method_name(HcMethod::None), "NONE");
  EXPECT_STREQ(hc_method_name(HcMethod::Tcp), "TCP");
  EXPECT_STREQ(hc_method_name(HcMethod::Options11), "OPTIONS11");
  EXPECT_STREQ(hc_method_name(HcMethod::Head11), "HEAD11");
  EXPECT_STREQ(hc_method_name(HcMethod::Cping), "CPING");
}

// The form's w_hm names a method in any case; CPING and PROVIDER are not among the HTTP workers'.
TEST(WorkerEdit, HealthCheckMethodByName) {
  Fixture f;
  ASSERT_NE(f.b, nullptr);
  WorkerState& w = f.b->member(0);
  WorkerEdit e;
  e.w_hm = "Options11";
  apply_worker_edit(f.b, w, e, true, {});
  EXPECT_EQ(w.hc_method.load(), static_cast<int>(HcMethod::Options11));
  EXPECT_TRUE(check_worker_edit(e, true, {}).empty());
  for (const char* refused : {"CPING", "provider", "GET2"}) {
    e.w_hm = refused;
    apply_worker_edit(f.b, w, e, true, {});
    EXPECT_EQ(w.hc_method.load(), static_cast<int>(HcMethod::Options11)) << refused;
    EXPECT_EQ(check_worker_edit(e, true, {}).size(), 1u) << refused;
  }
}

TEST(HealthCheck, PassesAndFailsCounting) {
  Fixture f(R"(<Proxy "balancer://rc">
    BalancerMember "http://127.0.0.1:18101" hcmethod=GET hcfails=2 hcpasses=3
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  WorkerState& w = f.b->member(0);
  EXPECT_TRUE(hc_should_check(w));
  EXPECT_FALSE(hc_failed(w, at(1)));
  EXPECT_EQ(w.hc_fcount.load(), 1);
  EXPECT_TRUE(w.usable());
  EXPECT_TRUE(hc_failed(w, at(2)));
  EXPECT_EQ(status_string(w.status()), "Init HcFl ");
  EXPECT_EQ(w.hc_fcount.load(), 0);
  EXPECT_EQ(w.error_time(), at(2));
  EXPECT_FALSE(hc_failed(w, at(3))); // already HcFl: no more counting
  EXPECT_EQ(w.hc_fcount.load(), 0);
  EXPECT_FALSE(hc_passed(w));
  EXPECT_FALSE(hc_passed(w));
  EXPECT_EQ(w.hc_pcount.load(), 2);
  EXPECT_TRUE(hc_passed(w));
  EXPECT_EQ(status_string(w.status()), "Init Ok ");
  EXPECT_EQ(w.hc_pcount.load(), 0);
  // A healthy worker's passes are not counted; an Err worker is brought back by passes too.
  EXPECT_FALSE(hc_passed(w));
  EXPECT_EQ(w.hc_pcount.load(), 0);
  mark_error(w, at(4));
  hc_passed(w);
  hc_passed(w);
  EXPECT_TRUE(hc_passed(w));
  EXPECT_TRUE(w.usable());
  EXPECT_EQ(hc_checking_log(w, true).text, "AH03256: Threaded Health checking http://127.0.0.1:18101");
  EXPECT_EQ(hc_checking_log(w, false).text, "AH03256: Health checking http://127.0.0.1:18101");
  const std::string result = hc_result_log(w, -1).text;
  EXPECT_EQ(result.rfind("AH03251: Health check GET Status (-1) for ", 0), 0u) << result;
  EXPECT_EQ(result.back(), '.');
  // In error: failures do not count (the worker stays Err, no HcFl).
  mark_error(w, at(5));
  EXPECT_FALSE(hc_failed(w, at(6)));
  EXPECT_FALSE(hc_failed(w, at(7)));
  EXPECT_EQ(w.hc_fcount.load(), 0);
  EXPECT_EQ(status_string(w.status()), "Init Err ");
  // Disabled workers are still checked; stopped ones are not.
  w.clear_bits(kWorkerInError);
  w.set_bits(kWorkerDisabled);
  EXPECT_TRUE(hc_should_check(w));
  hc_failed(w, at(8));
  EXPECT_TRUE(hc_failed(w, at(9)));
  EXPECT_EQ(status_string(w.status()), "Init Dis HcFl ");
  w.set_bits(kWorkerStopped);
  EXPECT_FALSE(hc_should_check(w));
  EXPECT_FALSE(hc_should_check(Fixture().b->member(0))); // hcmethod NONE
}

} // namespace
} // namespace balancerd::balancer::test
