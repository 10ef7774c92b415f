// Sticky sessions: route extraction from the URL and the Cookie header, the separator, route
// redirects, nofailover and the BALANCER_* variables, against apache-captures.md §3 and §5.
#include "server/balancer/manager_ops.hpp"
#include "server/balancer/sticky_route.hpp"
#include "server/balancer/tests/balancer_test_support.hpp"

namespace balancerd::balancer::test {
namespace {

const char* kCluster = R"(<Proxy "balancer://mycluster">
    BalancerMember "http://127.0.0.1:18101" route=b1 loadfactor=1
    BalancerMember "http://127.0.0.1:18102" route=b2 loadfactor=2
    BalancerMember "http://127.0.0.1:18103" route=b3 status=+H
    ProxySet lbmethod=byrequests stickysession=JSESSIONID|jsessionid
</Proxy>
<Proxy "balancer://rc">
    BalancerMember "http://127.0.0.1:18101" route=r1
    BalancerMember "http://127.0.0.1:18102" route=r2
    ProxySet stickysession=ROUTEID
</Proxy>)";

struct Fixture {
  TempDir dir;
  StateStore store;
  BalancerState* mycluster = nullptr;
  BalancerState* rc = nullptr;
  explicit Fixture(const std::string& text = kCluster) {
    auto cfg = compile(dir, text);
    if (!cfg) return;
    store.sync(*cfg);
    mycluster = store.balancer(-1, "balancer://mycluster");
    rc = store.balancer(-1, "balancer://rc");
  }
};

TEST(StickyExtraction, UrlParameterInPathOrQuery) {
  EXPECT_EQ(url_param_value("balancer://c/s;jsessionid=xyz.b2", "jsessionid", false), "xyz.b2");
  EXPECT_EQ(url_param_value("balancer://c/s?jsessionid=xyz.b2&a=1", "jsessionid", false), "xyz.b2");
  // Without scolonpathdelim a ';' does not end the value; with it, it does.
  EXPECT_EQ(url_param_value("balancer://c/s;jsessionid=x.b2;v=1", "jsessionid", false), "x.b2;v=1");
  EXPECT_EQ(url_param_value("balancer://c/s;jsessionid=x.b2;v=1", "jsessionid", true), "x.b2");
  // Substring match, no boundary check; the first occurrence followed by '=' counts.
  EXPECT_EQ(url_param_value("balancer://c/s?myjsessionid=a.b1", "jsessionid", false), "a.b1");
  EXPECT_EQ(url_param_value("balancer://c/jsessionid/x?jsessionid=q.b3", "jsessionid", false), "q.b3");
  // apr_strtok skips leading delimiters; nothing left stops the search.
  EXPECT_EQ(url_param_value("balancer://c/?jsessionid=&x.b1", "jsessionid", false), "x.b1");
  EXPECT_EQ(url_param_value("balancer://c/?jsessionid=&&", "jsessionid", false), std::nullopt);
  EXPECT_EQ(url_param_value("balancer://c/?jsessionid=", "jsessionid", false), std::nullopt);
  EXPECT_EQ(url_param_value("balancer://c/?jsessionid", "jsessionid", false), std::nullopt);
  EXPECT_EQ(url_param_value("balancer://c/", "", false), std::nullopt);
}

TEST(StickyExtraction, CookieValue) {
  EXPECT_EQ(cookie_value("JSESSIONID=abc.b1", "JSESSIONID"), "abc.b1");
  EXPECT_EQ(cookie_value("a=1; JSESSIONID=abc.b1; b=2", "JSESSIONID"), "abc.b1");
  EXPECT_EQ(cookie_value("a=1,JSESSIONID=abc.b1,b=2", "JSESSIONID"), "abc.b1");
  EXPECT_EQ(cookie_value("JSESSIONID = abc.b1", "JSESSIONID"), " abc.b1");
  // Must start a cookie name: "XJSESSIONID" does not count, a later real one does.
  EXPECT_EQ(cookie_value("XJSESSIONID=no.b9; JSESSIONID=yes.b1", "JSESSIONID"), "yes.b1");
  EXPECT_EQ(cookie_value("JSESSIONID=", "JSESSIONID"), std::nullopt);
  EXPECT_EQ(cookie_value("JSESSIONIDX=a.b1", "JSESSIONID"), std::nullopt);
  EXPECT_EQ(cookie_value("JSESSIONID=;x", "JSESSIONID"), "");
  EXPECT_EQ(cookie_value("", "JSESSIONID"), std::nullopt);
}

TEST(StickyExtraction, SeparatorRules) {
  BalancerSettings s;
  s.sticky = "ROUTEID";
  s.sticky_path = "routeid";
  auto r = find_sticky_route(s, "balancer://rc/", "ROUTEID=.r1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->route, "r1");
  EXPECT_EQ(r->sticky, "ROUTEID");
  // The first separator splits: the rest (dots included) is the route.
  EXPECT_EQ(find_sticky_route(s, "balancer://rc/", "ROUTEID=a.b.c")->route, "b.c");
  // No separator: no route at all.
  EXPECT_FALSE(find_sticky_route(s, "balancer://rc/", "ROUTEID=abc"));
  // Empty route after the separator is still reported.
  auto empty = find_sticky_route(s, "balancer://rc/", "ROUTEID=abc.");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->route, "");
  // URL before cookie, under the URL parameter name.
  auto url = find_sticky_route(s, "balancer://rc/x?routeid=1.r2", "ROUTEID=.r1");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->route, "r2");
  EXPECT_EQ(url->sticky, "routeid");
  // stickysessionsep=Off: the whole value is the route.
  s.sticky_separator = '\0';
  EXPECT_EQ(find_sticky_route(s, "balancer://rc/", "ROUTEID=abc.r1")->route, "abc.r1");
  s.sticky_separator = '_';
  EXPECT_EQ(find_sticky_route(s, "balancer://rc/", "ROUTEID=abc_r1")->route, "r1");
  s.sticky.clear();
  EXPECT_FALSE(find_sticky_route(s, "balancer://rc/", "ROUTEID=.r1"));
}

TEST(Sticky, CookieRoutePinsWorker) {
  Fixture f;
  ASSERT_NE(f.mycluster, nullptr);
  for (int i = 0; i < 3; ++i) {
    Selection s = select(*f.mycluster, facts("balancer://mycluster/s", "JSESSIONID=abc.b1"));
    ASSERT_EQ(port_of(s), 18101);
    EXPECT_TRUE(s.sticky_hit);
    EXPECT_EQ(env_value(s, "BALANCER_SESSION_STICKY"), "JSESSIONID");
    EXPECT_EQ(env_value(s, "BALANCER_SESSION_ROUTE"), "b1");
    EXPECT_EQ(env_value(s, "BALANCER_ROUTE_CHANGED"), "-");
    EXPECT_EQ(env_value(s, "BALANCER_WORKER_ROUTE"), "b1");
    release(*s.worker, 0, 0);
  }
  const std::vector<std::pair<std::string, std::string>> notes = {{"session-sticky", "JSESSIONID"},
                                                                  {"session-route", "b1"}};
  EXPECT_EQ(select(*f.mycluster, facts("balancer://mycluster/s", "JSESSIONID=abc.b1")).notes(), notes);
}

TEST(Sticky, HitUpdatesLoadOfEveryUsableMemberIncludingStandby) {
  Fixture f;
  ASSERT_NE(f.mycluster, nullptr);
  sequence(*f.mycluster, 3, "balancer://mycluster/s", "JSESSIONID=abc.b1");
  // Each hit: +100/+200/+100 to b1/b2/b3, b1 gives back 400.
  EXPECT_EQ(f.mycluster->member(0).lbstatus.load(), -900);
  EXPECT_EQ(f.mycluster->member(1).lbstatus.load(), 600);
  EXPECT_EQ(f.mycluster->member(2).lbstatus.load(), 300);
  EXPECT_EQ(f.mycluster->member(0).elected.load(), 3u);
}

TEST(Sticky, UrlPathParameterAndQuery) {
  Fixture f;
  ASSERT_NE(f.mycluster, nullptr);
  Selection p = select(*f.mycluster, facts("balancer://mycluster/s;jsessionid=xyz.b2"));
  EXPECT_EQ(port_of(p), 18102);
  EXPECT_EQ(env_value(p, "BALANCER_SESSION_STICKY"), "jsessionid");
  EXPECT_EQ(env_value(p, "BALANCER_SESSION_ROUTE"), "b2");
  Selection q = select(*f.mycluster, facts("balancer://mycluster/s?jsessionid=xyz.b2"));
  EXPECT_EQ(port_of(q), 18102);
  EXPECT_EQ(env_value(q, "BALANCER_ROUTE_CHANGED"), "-");
}

TEST(Sticky, UnknownRouteIsBalancedAndMarkedChanged) {
  Fixture f;
  ASSERT_NE(f.mycluster, nullptr);
  Selection s = select(*f.mycluster, facts("balancer://mycluster/s", "JSESSIONID=abc.zz"));
  EXPECT_EQ(port_of(s), 18102);
  EXPECT_FALSE(s.sticky_hit);
  EXPECT_EQ(env_value(s, "BALANCER_ROUTE_CHANGED"), "1");
  EXPECT_EQ(env_value(s, "BALANCER_SESSION_ROUTE"), "zz");
  EXPECT_EQ(env_value(s, "BALANCER_SESSION_STICKY"), "JSESSIONID");
}

TEST(Sticky, NoCookieOnStickyBalancerMarksChanged) {
  Fixture f;
  ASSERT_NE(f.rc, nullptr);
  Selection s = select(*f.rc, facts("balancer://rc/"));
  EXPECT_EQ(port_of(s), 18101);
  EXPECT_EQ(env_value(s, "BALANCER_ROUTE_CHANGED"), "1");
  EXPECT_EQ(env_value(s, "BALANCER_WORKER_ROUTE"), "r1");
  EXPECT_EQ(env_value(s, "BALANCER_SESSION_ROUTE"), "-");
}

TEST(Sticky, DisabledRouteWithRedirect) {
  Fixture f;
  ASSERT_NE(f.rc, nullptr);
  f.rc->member(0).set_bits(directives::kWorkerDisabled);
  f.rc->member(0).set_redirect("r2");
  Selection s = select(*f.rc, facts("balancer://rc/x", "ROUTEID=.r1"));
  EXPECT_EQ(port_of(s), 18102);
  EXPECT_TRUE(s.sticky_hit);
  // The captured access-log line: route=r2 changed=1 sticky=ROUTEID sroute=r1.
  EXPECT_EQ(env_value(s, "BALANCER_WORKER_ROUTE"), "r2");
  EXPECT_EQ(env_value(s, "BALANCER_ROUTE_CHANGED"), "1");
  EXPECT_EQ(env_value(s, "BALANCER_SESSION_STICKY"), "ROUTEID");
  EXPECT_EQ(env_value(s, "BALANCER_SESSION_ROUTE"), "r1");
  EXPECT_EQ(env_value(s, "BALANCER_WORKER_NAME"), "http://127.0.0.1:18102");
}

TEST(Sticky, RedirectChainsAreFollowed) {
  // Verified with apache2 2.4.71: r1 (disabled, redirect r2) -> r2 (disabled, redirect r3) -> r3,
  // even though byrequests would have chosen r4.
  Fixture f(R"(<Proxy "balancer://c2">
    BalancerMember "http://127.0.0.1:18301" route=r1 redirect=r2 status=+D
    BalancerMember "http://127.0.0.1:18302" route=r2 redirect=r3 status=+D
    BalancerMember "http://127.0.0.1:18303" route=r3
    BalancerMember "http://127.0.0.1:18304" route=r4 loadfactor=2
    ProxySet stickysession=ROUTEID
</Proxy>)");
  BalancerState* b = f.store.balancer(-1, "balancer://c2");
  ASSERT_NE(b, nullptr);
  Selection s = select(*b, facts("balancer://c2/x", "ROUTEID=.r1"));
  EXPECT_EQ(port_of(s), 18303);
  EXPECT_TRUE(s.route_changed);
}

TEST(Sticky, RedirectLoopEnds) {
  Fixture f(R"(<Proxy "balancer://c2">
    BalancerMember "http://127.0.0.1:1" route=r1 redirect=r2 status=+D
    BalancerMember "http://127.0.0.1:2" route=r2 redirect=r1 status=+D
    BalancerMember "http://127.0.0.1:3" route=r3
    ProxySet stickysession=ROUTEID
</Proxy>)");
  BalancerState* b = f.store.balancer(-1, "balancer://c2");
  ASSERT_NE(b, nullptr);
  Selection s = select(*b, facts("balancer://c2/x", "ROUTEID=.r1"));
  EXPECT_EQ(port_of(s), 3);
  EXPECT_FALSE(s.sticky_hit);
  EXPECT_TRUE(s.route_changed);
}

TEST(Sticky, DrainingMemberStillServesItsSessions) {
  Fixture f;
  ASSERT_NE(f.rc, nullptr);
  f.rc->member(0).set_bits(directives::kWorkerDrain);
  EXPECT_EQ(port_of(select(*f.rc, facts("balancer://rc/", "ROUTEID=.r1"))), 18101);
  EXPECT_EQ(port_of(select(*f.rc, facts("balancer://rc/"))), 18102);
}

TEST(Sticky, StandbyRouteMatchedAfterOthers) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" route=same status=+H
    BalancerMember "http://127.0.0.1:2" route=same
    ProxySet stickysession=S
</Proxy>)");
  BalancerState* b = f.store.balancer(-1, "balancer://c");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(port_of(select(*b, facts("balancer://c/", "S=.same"))), 2);
  b->member(1).set_bits(directives::kWorkerStopped);
  EXPECT_EQ(port_of(select(*b, facts("balancer://c/", "S=.same"))), 1);
}

TEST(Sticky, NofailoverAnswers503ForAKnownRoute) {
  Fixture f(R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1" route=r1
    BalancerMember "http://127.0.0.1:2" route=r2
    ProxySet stickysession=S nofailover=On
</Proxy>)");
  BalancerState* b = f.store.balancer(-1, "balancer://c");
  ASSERT_NE(b, nullptr);
  b->member(0).set_bits(directives::kWorkerDisabled);
  Selection s = select(*b, facts("balancer://c/", "S=x.r1"));
  EXPECT_EQ(s.status, SelectStatus::Unavailable);
  EXPECT_EQ(s.http_status, 503);
  ASSERT_EQ(s.logs.size(), 1u);
  EXPECT_EQ(s.logs[0].text, "AH01167: balancer://c: All workers are in error state for route (r1)");
  EXPECT_EQ(b->member(1).busy.load(), 0);
  // A route no member has is load balanced even with nofailover.
  EXPECT_EQ(port_of(select(*b, facts("balancer://c/", "S=x.zz"))), 2);
  // Without nofailover the known route fails over.
  BalancerEdit edit;
  edit.b_sforce = "0";
  apply_balancer_edit(f.store, *b, edit, *f.store.proxy_conf(-1));
  EXPECT_EQ(port_of(select(*b, facts("balancer://c/", "S=x.r1"))), 2);
}

TEST(Sticky, EmptyRouteStillReportedInEnv) {
  Fixture f;
  ASSERT_NE(f.rc, nullptr);
  Selection s = select(*f.rc, facts("balancer://rc/", "ROUTEID=abc."));
  EXPECT_EQ(port_of(s), 18101);
  EXPECT_EQ(env_value(s, "BALANCER_SESSION_ROUTE"), "");
  EXPECT_EQ(env_value(s, "BALANCER_SESSION_STICKY"), "ROUTEID");
  EXPECT_EQ(env_value(s, "BALANCER_ROUTE_CHANGED"), "1");
}

TEST(Sticky, ApacheVerifiedEdgeCases) {
  // Each line was sent to apache2 2.4.71 with an access log of the BALANCER_* variables; the
  // expected values are what it logged ("-" = not set).
  Fixture f(R"(<Proxy "balancer://st">
    BalancerMember "http://127.0.0.1:28451" route=r1
    BalancerMember "http://127.0.0.1:28452" route=r2
    ProxySet maxattempts=0 stickysession=ROUTEID|routeid
</Proxy>)");
  BalancerState* b = f.store.balancer(-1, "balancer://st");
  ASSERT_NE(b, nullptr);
  struct Case {
    const char* url;
    const char* cookie;
    int port;
    const char* changed;
    const char* sticky;
    const char* sroute;
  };
  const Case cases[] = {
      {"balancer://st/a", "ROUTEID=abc.", 28451, "1", "ROUTEID", ""},
      {"balancer://st/b", "ROUTEID=abc", 28452, "1", "-", "-"},
      {"balancer://st/c?routeid=&x.r2", "", 28452, "-", "routeid", "r2"},
      {"balancer://st/d?routeid=&&", "", 28451, "1", "-", "-"},
      {"balancer://st/e", "XROUTEID=q.r1; ROUTEID=z.r2", 28452, "-", "ROUTEID", "r2"},
      {"balancer://st/f", "a=1, ROUTEID=z.r2", 28452, "-", "ROUTEID", "r2"}, // two Cookie lines merged
      {"balancer://st/g", "ROUTEID = y.r1", 28451, "-", "ROUTEID", "r1"},
      {"balancer://st/myrouteid=k.r2", "", 28452, "-", "routeid", "r2"},
  };
  for (const Case& c : cases) {
    Selection s = select(*b, facts(c.url, c.cookie));
    EXPECT_EQ(port_of(s), c.port) << c.url;
    EXPECT_EQ(env_value(s, "BALANCER_ROUTE_CHANGED"), c.changed) << c.url;
    EXPECT_EQ(env_value(s, "BALANCER_SESSION_STICKY"), c.sticky) << c.url;
    EXPECT_EQ(env_value(s, "BALANCER_SESSION_ROUTE"), c.sroute) << c.url;
    if (s.worker) release(*s.worker, 0, 0);
  }
}

} // namespace
} // namespace balancerd::balancer::test
