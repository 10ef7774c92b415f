// Error states, retry timers, force recovery, the failover loop (maxattempts), failonstatus /
// failontimeout and the balancer timeout wait, with an injected clock.
#include "server/balancer/tests/balancer_test_support.hpp"

namespace balancerd::balancer::test {
namespace {

using directives::kWorkerInError;

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

const char* kTwo = R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" retry=60
    BalancerMember "http://127.0.0.1:2" retry=60
</Proxy>
ProxyPass "/c/" "balancer://c/"
ProxyPass "/plain/" "http://127.0.0.1:3/" retry=5
ProxyPass "/strict/" "http://127.0.0.1:4/" retry=5 status=-I)";

TEST(ErrorState, RetryTimerBringsWorkerBack) {
  Fixture f(kTwo);
  ASSERT_NE(f.b, nullptr);
  WorkerState& w = f.b->member(0);
  EXPECT_TRUE(mark_error(w, at(0)));
  EXPECT_FALSE(w.usable());
  EXPECT_EQ(status_string(w.status()), "Init Err ");
  EXPECT_EQ(connect_failure_log(w).text,
            "AH00959: ap_proxy_connect_backend disabling worker for (127.0.0.1:1) for 60s");
  // Only the other member while the timer runs...
  EXPECT_EQ(sequence(*f.b, 3, "balancer://c/", {}, at(30)), "2 2 2");
  EXPECT_EQ(sequence(*f.b, 1, "balancer://c/", {}, at(60)), "2"); // not yet: strictly after
  EXPECT_EQ(w.retries.load(), 0u);
  // ...and both again once error_time + retry has passed.
  EXPECT_EQ(sequence(*f.b, 2, "balancer://c/", {}, at(61)), "1 2");
  EXPECT_TRUE(w.usable());
  EXPECT_EQ(w.retries.load(), 1u);
}

TEST(ErrorState, IgnoreErrorsFlagKeepsWorkerUsable) {
  Fixture f(kTwo);
  ASSERT_NE(f.b, nullptr);
  WorkerState& w = f.b->member(0);
  w.set_bits(directives::kWorkerIgnoreErrors);
  EXPECT_FALSE(mark_error(w, at(0)));
  EXPECT_TRUE(w.usable());
  // A worker in error with I set is retried at once.
  w.set_bits(kWorkerInError);
  EXPECT_TRUE(w.retry(at(0)));
  EXPECT_TRUE(w.usable());
}

TEST(ErrorState, StoppedWorkerIsNeverRetried) {
  Fixture f(kTwo);
  ASSERT_NE(f.b, nullptr);
  WorkerState& w = f.b->member(0);
  mark_error(w, at(0));
  w.set_bits(directives::kWorkerStopped);
  EXPECT_FALSE(w.retry(at(1000)));
  EXPECT_TRUE(w.has(kWorkerInError));
}

TEST(ErrorState, PlainWorkersIgnoreErrorsUnlessTold) {
  // Verified with apache2 2.4.71: a refused plain ProxyPass worker (even with retry=5) keeps being
  // tried (no AH00959/AH00940), because mod_proxy gives workers outside a balancer the I flag.
  Fixture f(kTwo);
  WorkerState* plain = f.store.worker(-1, "http://127.0.0.1:3");
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(mark_error(*plain, at(0)));
  EXPECT_FALSE(check_usable(*plain, at(0)));
  WorkerState* strict = f.store.worker(-1, "http://127.0.0.1:4");
  ASSERT_NE(strict, nullptr);
  EXPECT_TRUE(mark_error(*strict, at(0)));
  auto log = check_usable(*strict, at(3));
  ASSERT_TRUE(log);
  EXPECT_EQ(log->text, "AH00940: HTTP: disabled connection for (127.0.0.1:4)");
  EXPECT_FALSE(check_usable(*strict, at(6)));
  EXPECT_TRUE(strict->usable());
}

TEST(ForceRecovery, AllMembersInErrorAreTriedAgain) {
  // apache2 2.4.71 with two refused members: the second request logs AH01165 for both and tries
  // 28492 then 28491 (the byrequests state the first request's failover left).
  Fixture f(kTwo);
  ASSERT_NE(f.b, nullptr);
  mark_error(f.b->member(0), at(0));
  mark_error(f.b->member(1), at(0));
  Selection s = select(*f.b, facts("balancer://c/", {}, at(1)));
  ASSERT_EQ(s.status, SelectStatus::Chosen);
  EXPECT_EQ(port_of(s), 1);
  ASSERT_EQ(s.logs.size(), 2u);
  EXPECT_EQ(s.logs[0].text, "AH01165: balancer://c: Forcing recovery for worker (127.0.0.1:1)");
  EXPECT_EQ(s.logs[1].text, "AH01165: balancer://c: Forcing recovery for worker (127.0.0.1:2)");
  EXPECT_EQ(s.logs[0].severity, LogSeverity::Debug); // apache2 2.4.71 logs it at proxy_balancer:debug
  EXPECT_EQ(f.b->member(1).retries.load(), 1u);
  EXPECT_TRUE(f.b->member(1).usable());
}

TEST(ForceRecovery, RefusedMembersOrderAsApacheTriedThem) {
  Fixture f(kTwo);
  ASSERT_NE(f.b, nullptr);
  std::string order;
  for (int request = 0; request < 2; ++request) {
    FailoverLoop loop;
    Selection s;
    do {
      s = select(*f.b, facts("balancer://c/", {}, at(request)));
      ASSERT_EQ(s.status, SelectStatus::Chosen);
      order += std::to_string(port_of(s));
      mark_error(*s.worker, at(request));
      release(*s.worker, 0, 0);
    } while (loop.after_attempt(f.b, *s.worker, 503, at(request)));
    order += ' ';
  }
  EXPECT_EQ(order, "12 21 "); // apache2: 28491 28492, then 28492 28491
}

TEST(ForceRecovery, OneMemberNotInErrorPreventsIt) {
  Fixture f(kTwo);
  ASSERT_NE(f.b, nullptr);
  mark_error(f.b->member(0), at(0));
  f.b->member(1).set_bits(directives::kWorkerDisabled); // unusable but not in error
  Selection s = select(*f.b, facts("balancer://c/", {}, at(1)));
  EXPECT_EQ(s.status, SelectStatus::Unavailable);
  EXPECT_EQ(s.logs.back().text, "AH01170: balancer://c: All workers are in error state");
}

TEST(ForceRecovery, OffLeavesMembersInErrorUntilRetry) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" retry=10
    BalancerMember "http://127.0.0.1:2" retry=20
    ProxySet forcerecovery=Off
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  mark_error(f.b->member(0), at(0));
  mark_error(f.b->member(1), at(0));
  EXPECT_EQ(select(*f.b, facts("balancer://c/", {}, at(5))).status, SelectStatus::Unavailable);
  EXPECT_EQ(port_of(select(*f.b, facts("balancer://c/", {}, at(11)))), 1);
  EXPECT_EQ(f.b->member(1).has(kWorkerInError), true);
}

TEST(Failover, ConnectFailuresWalkTheMembersUpToMaxattempts) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1"
    BalancerMember "http://127.0.0.1:2"
    BalancerMember "http://127.0.0.1:3"
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_EQ(f.b->settings().max_attempts, 2); // members - 1
  FailoverLoop loop;
  std::string tried;
  Selection s;
  do {
    s = select(*f.b, facts("balancer://c/", {}, at(0)));
    ASSERT_EQ(s.status, SelectStatus::Chosen);
    tried += std::to_string(port_of(s));
  } while (loop.after_attempt(f.b, *s.worker, 503, at(0)));
  EXPECT_EQ(tried, "123");
  EXPECT_EQ(loop.attempts(), 3); // Apache's `max_attempts > attempts++` counts the last test too
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(f.b->member(i).has(kWorkerInError));
  // Each attempt counted busy; the engine releases every one of them.
  EXPECT_EQ(f.b->member(0).busy.load(), 1);
}

TEST(Failover, ExplicitMaxattemptsAndNonRetriableStatuses) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1"
    BalancerMember "http://127.0.0.1:2"
    BalancerMember "http://127.0.0.1:3"
    ProxySet maxattempts=1
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  FailoverLoop loop;
  Selection s = select(*f.b, facts("balancer://c/"));
  EXPECT_TRUE(loop.after_attempt(f.b, *s.worker, 503, at(0)));
  s = select(*f.b, facts("balancer://c/"));
  EXPECT_FALSE(loop.after_attempt(f.b, *s.worker, 503, at(0)));
  EXPECT_EQ(loop.attempts(), 2);

  FailoverLoop ok;
  s = select(*f.b, facts("balancer://c/"));
  EXPECT_FALSE(ok.after_attempt(f.b, *s.worker, 0, at(0)));
  EXPECT_TRUE(s.worker->usable());
  // 500: the member is put in error but not failed over; 502: neither.
  FailoverLoop e500;
  EXPECT_FALSE(e500.after_attempt(f.b, *s.worker, 500, at(0)));
  EXPECT_TRUE(s.worker->has(kWorkerInError));
  s.worker->clear_bits(kWorkerInError);
  FailoverLoop e502;
  EXPECT_FALSE(e502.after_attempt(f.b, *s.worker, 502, at(0)));
  EXPECT_TRUE(s.worker->usable());
}

TEST(Failover, SingleMemberHasNoFailover) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1"
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  EXPECT_FALSE(f.b->settings().max_attempts_set);
  FailoverLoop loop;
  Selection s = select(*f.b, facts("balancer://c/"));
  EXPECT_FALSE(loop.after_attempt(f.b, *s.worker, 503, at(0)));
  EXPECT_TRUE(s.worker->has(kWorkerInError));
}

TEST(PostRequest, FailOnStatusAndTimeout) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1"
    BalancerMember "http://127.0.0.1:2" status=+I
    ProxySet failonstatus=500,503 failontimeout=On
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  WorkerState& w1 = f.b->member(0);
  EXPECT_TRUE(post_request(*f.b, w1, 200, false, at(0)).empty());
  EXPECT_TRUE(w1.usable());
  auto logs = post_request(*f.b, w1, 503, false, at(7));
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].text,
            "AH01174: balancer://c: Forcing worker (http://127.0.0.1:1) into error state due to "
            "status code 503 matching 'failonstatus' balancer parameter");
  EXPECT_TRUE(w1.has(kWorkerInError));
  EXPECT_EQ(w1.error_time(), at(7));
  w1.clear_bits(kWorkerInError);
  logs = post_request(*f.b, w1, 200, true, at(8));
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].text,
            "AH02460: balancer://c: Forcing worker (http://127.0.0.1:1) into error state due to "
            "timeout and 'failontimeout' parameter being set");
  // Ignore-errors members are exempt.
  EXPECT_TRUE(post_request(*f.b, f.b->member(1), 500, true, at(9)).empty());
  EXPECT_TRUE(f.b->member(1).usable());
}

TEST(Timeout, WaitStepsThenGivesUp) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" status=+D
    ProxySet timeout=2
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  Selection s = select(*f.b, facts("balancer://c/"));
  ASSERT_EQ(s.status, SelectStatus::Wait);
  EXPECT_EQ(s.retry_after, std::chrono::milliseconds(20));
  int steps = 1;
  while (true) {
    s = select_again(*f.b, facts("balancer://c/"), s);
    if (s.status != SelectStatus::Wait) break;
    ASSERT_LT(++steps, 200);
  }
  EXPECT_EQ(steps, 100); // Apache re-runs the lbmethod 100 times, timeout/100 apart
  EXPECT_EQ(s.status, SelectStatus::Unavailable);
  EXPECT_EQ(s.logs.back().text, "AH01170: balancer://c: All workers are in error state");
}

TEST(Timeout, WorkerBecomingUsableEndsTheWait) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" route=r1 status=+D
    ProxySet timeout=1 stickysession=S
</Proxy>)");
  ASSERT_NE(f.b, nullptr);
  Selection s = select(*f.b, facts("balancer://c/", "S=a.r1"));
  ASSERT_EQ(s.status, SelectStatus::Wait);
  s = select_again(*f.b, facts("balancer://c/", "S=a.r1"), s);
  ASSERT_EQ(s.status, SelectStatus::Wait);
  f.b->member(0).clear_bits(directives::kWorkerDisabled);
  s = select_again(*f.b, facts("balancer://c/", "S=a.r1"), s);
  ASSERT_EQ(s.status, SelectStatus::Chosen);
  EXPECT_EQ(port_of(s), 1);
  EXPECT_EQ(env_value(s, "BALANCER_ROUTE_CHANGED"), "1");
  EXPECT_EQ(env_value(s, "BALANCER_SESSION_ROUTE"), "r1");
  EXPECT_EQ(f.b->member(0).busy.load(), 1);
  EXPECT_EQ(f.b->member(0).elected.load(), 1u);
}

TEST(Timeout, EmptyBalancerSaysSo) {
  TempDir dir;
  StateStore store;
  auto cfg = compile(dir, R"(ProxyPass "/e/" "balancer://empty/")");
  ASSERT_TRUE(cfg);
  store.sync(*cfg);
  BalancerState* b = store.balancer(-1, "balancer://empty");
  ASSERT_NE(b, nullptr);
  Selection s = select(*b, facts("balancer://empty/"));
  EXPECT_EQ(s.status, SelectStatus::Unavailable);
  EXPECT_EQ(s.logs.back().text, "AH01171: balancer://empty: No workers in balancer");
}

} // namespace
} // namespace balancerd::balancer::test
