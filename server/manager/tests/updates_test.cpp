// Parameter application and refusal, each case as apache2 2.4.71 handled it on loopback (the value
// it accepted, clamped or ignored), through handle_manager_request on configuration A.
#include <gtest/gtest.h>

#include "server/manager/manager_updates.hpp"
#include "server/manager/tests/manager_test_support.hpp"

namespace balancerd::manager::test {
namespace {

namespace d = directives;
constexpr unsigned kPort = 18480;
const std::string kRef = "http://127.0.0.1:18480/balancer-manager";

class Updates : public ::testing::Test {
protected:
  Updates() : f(kConfigA, nonces_of("a_nonces.txt")) {}
  std::string n() { return capture_lines("a_nonces.txt").at(2); }
  balancer::BalancerState& rc() { return *f.store().balancer(-1, "balancer://rc"); }
  balancer::WorkerState& r2() { return rc().member(1); }
  // POSTs worker fields for rc's second member (http://127.0.0.1:18102).
  ManagerResponse worker(const std::string& fields) {
    return f.run(f.post(kPort, "b=rc&w=http://127.0.0.1:18102&nonce=" + n() + "&" + fields, kRef));
  }
  ManagerResponse bal(const std::string& fields) {
    return f.run(f.post(kPort, "b=rc&nonce=" + n() + "&" + fields, kRef));
  }
  Fixture f;
};

TEST_F(Updates, NoRefererNothingChanges) {
  auto r = f.run(f.post(kPort, "b=rc&w=http://127.0.0.1:18102&nonce=" + n() + "&w_lf=2", std::nullopt));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r2().lbfactor.load(), 100);
  EXPECT_FALSE(r.changed);
  ASSERT_EQ(r.error_logs.size(), 1u);
  EXPECT_EQ(r.error_logs[0],
            "AH10187: ignoring params in balancer-manager cross-site access (null): 127.0.0.1");
  // and the page is the plain one (no edit form: the parameters were dropped)
  EXPECT_EQ(r.body.find("Edit worker settings"), std::string::npos);
}

TEST_F(Updates, ForeignRefererNothingChanges) {
  auto r = f.run(
      f.post(kPort, "b=rc&w=http://127.0.0.1:18102&nonce=" + n() + "&w_lf=3", "http://localhost:18480/"));
  EXPECT_EQ(r2().lbfactor.load(), 100);
  ASSERT_EQ(r.error_logs.size(), 1u);
  EXPECT_EQ(
      r.error_logs[0],
      "AH10187: ignoring params in balancer-manager cross-site access http://localhost:18480/: 127.0.0.1");
  // Another port of the same host is fine (apache2 compares the host only).
  f.run(f.post(kPort, "b=rc&w=http://127.0.0.1:18102&nonce=" + n() + "&w_lf=4", "http://127.0.0.1:9999/zz"));
  EXPECT_EQ(r2().lbfactor.load(), 400);
}

TEST_F(Updates, WrongOrMissingNonceNothingChanges) {
  f.run(f.post(kPort, "b=rc&w=http://127.0.0.1:18102&nonce=bad&w_lf=5", kRef));
  f.run(f.post(kPort, "b=rc&w=http://127.0.0.1:18102&w_lf=5", kRef));
  f.run(f.post(kPort, "w=http://127.0.0.1:18102&w_wr=q6&b=rc&nonce=" + n() + "&nonce=zz", kRef)); // last wins
  EXPECT_EQ(r2().lbfactor.load(), 100);
  EXPECT_EQ(r2().route(), "r2");
}

TEST_F(Updates, GetCarriesNoChanges) {
  f.run(f.request(kPort, "b=rc&w=http://127.0.0.1:18102&nonce=" + n() + "&w_lf=6", kRef));
  EXPECT_EQ(r2().lbfactor.load(), 100);
}

TEST_F(Updates, LoadFactor) {
  worker("w_lf=0.5");
  EXPECT_EQ(r2().lbfactor.load(), 100);
  worker("w_lf=100.009");
  EXPECT_EQ(r2().lbfactor.load(), 10000);
  worker("w_lf=1.239");
  EXPECT_EQ(r2().lbfactor.load(), 123);
  worker("w_lf=3abc");
  EXPECT_EQ(r2().lbfactor.load(), 300);
  worker("w_lf=100.01");
  EXPECT_EQ(r2().lbfactor.load(), 300);
}

TEST_F(Updates, RouteAndRedirect) {
  worker("w_wr=" + std::string(63, 'a'));
  EXPECT_EQ(r2().route(), std::string(63, 'a'));
  worker("w_wr=" + std::string(64, 'a'));
  EXPECT_EQ(r2().route(), "");
  worker("w_wr=x&w_rr=y");
  EXPECT_EQ(r2().route(), "x");
  EXPECT_EQ(r2().redirect(), "y");
  worker("w_rr=");
  EXPECT_EQ(r2().redirect(), "");
}

TEST_F(Updates, StatusFlagsUseAtoi) {
  worker("w_status_D=abc");
  EXPECT_FALSE(r2().has(d::kWorkerDisabled));
  worker("w_status_D=2");
  EXPECT_TRUE(r2().has(d::kWorkerDisabled));
  worker("w_status_D=0x1");
  EXPECT_FALSE(r2().has(d::kWorkerDisabled));
  worker("w_status_I=1&w_status_N=1&w_status_H=1&w_status_R=1&w_status_S=1&w_status_C=1");
  const unsigned all = d::kWorkerIgnoreErrors | d::kWorkerDrain | d::kWorkerHotStandby | d::kWorkerHotSpare |
                       d::kWorkerStopped | d::kWorkerHcFail;
  EXPECT_EQ(r2().status() & all, all);
  worker("w_status_E=1"); // not a manager flag
  EXPECT_FALSE(r2().has(d::kWorkerInError));
}

TEST_F(Updates, LbsetAndHealthCheckFields) {
  worker("w_ls=99");
  EXPECT_EQ(r2().lbset.load(), 99);
  worker("w_ls=100");
  worker("w_ls=-1");
  EXPECT_EQ(r2().lbset.load(), 99);
  worker("w_hi=50");
  EXPECT_EQ(r2().hc_interval_us.load(), 30'000'000);
  worker("w_hi=100");
  EXPECT_EQ(r2().hc_interval_us.load(), 100'000);
  worker("w_hi=2s");
  EXPECT_EQ(r2().hc_interval_us.load(), 2'000'000);
  worker("w_hi=1x");
  EXPECT_EQ(r2().hc_interval_us.load(), 2'000'000);
  worker("w_hp=0&w_hf=7");
  EXPECT_EQ(r2().hc_passes.load(), 1);
  EXPECT_EQ(r2().hc_fails.load(), 7);
  worker("w_hm=get");
  EXPECT_EQ(r2().hc_method.load(), static_cast<int>(d::HcMethod::Get));
  worker("w_hm=nope");
  EXPECT_EQ(r2().hc_method.load(), static_cast<int>(d::HcMethod::Get));
  worker("w_hu=" + std::string(63, 'u'));
  EXPECT_EQ(r2().hc_uri(), std::string(63, 'u'));
  worker("w_hu=" + std::string(64, 'u'));
  EXPECT_EQ(r2().hc_uri(), "");
  worker("w_he=foo"); // no ProxyHCExpr named foo: cleared
  EXPECT_EQ(r2().hc_expr(), "");
}

TEST_F(Updates, StickySession) {
  auto settings = [&] { return rc().settings(); };
  bal("b_ss=A%7Cb");
  EXPECT_EQ(settings().sticky, "A");
  EXPECT_EQ(settings().sticky_path, "b");
  bal("b_ss=");
  EXPECT_EQ(settings().sticky, "A");
  bal("b_ss=-");
  EXPECT_EQ(settings().sticky, "");
  EXPECT_EQ(settings().sticky_path, "");
  bal("b_ss=" + std::string(62, 'a'));
  EXPECT_EQ(settings().sticky, std::string(62, 'a'));
  bal("b_ss=" + std::string(63, 'b'));
  EXPECT_EQ(settings().sticky, std::string(62, 'a'));
  bal("b_ss=A%7Cb%7Cc");
  EXPECT_EQ(settings().sticky, "A");
  EXPECT_EQ(settings().sticky_path, "b|c");
}

TEST_F(Updates, BalancerNumbersAndMethod) {
  auto settings = [&] { return rc().settings(); };
  bal("b_tmo=7200");
  EXPECT_EQ(settings().timeout, std::chrono::seconds(7200));
  bal("b_tmo=7201");
  bal("b_tmo=-1");
  EXPECT_EQ(settings().timeout, std::chrono::seconds(7200));
  bal("b_max=99");
  EXPECT_EQ(settings().max_attempts, 99);
  bal("b_max=100");
  EXPECT_EQ(settings().max_attempts, 99);
  bal("b_sforce=2");
  EXPECT_TRUE(settings().sticky_force);
  bal("b_sforce=abc");
  EXPECT_FALSE(settings().sticky_force);
  bal("b_lbm=nope");
  EXPECT_EQ(settings().lbmethod, "byrequests");
  bal("b_lbm=bytraffic");
  EXPECT_EQ(settings().lbmethod, "bytraffic");
  bal("b_lbm=BYREQUESTS");
  EXPECT_EQ(settings().lbmethod, "bytraffic");
}

TEST_F(Updates, MemberLookupIsApachesLongestPrefix) {
  auto route_of = [&](const std::string& w) {
    auto r = f.run(f.request(kPort, "b=rc&w=" + w + "&nonce=" + n(), kRef));
    const auto at = r.body.find("<h3>Edit worker settings for ");
    if (at == std::string::npos) return std::string("none");
    return r.body.substr(at + 29, r.body.find("</h3>", at) - at - 29);
  };
  EXPECT_EQ(route_of("http://127.0.0.1:18102/xyz"), "http://127.0.0.1:18102");
  EXPECT_EQ(route_of("HTTP://127.0.0.1:18102"), "http://127.0.0.1:18102");
  EXPECT_EQ(route_of("http://127.0.0.1:181"), "none");
  EXPECT_EQ(route_of("http://127.0.0.1:18102?q"), "none");
  EXPECT_EQ(route_of("http://127.0.0.1:80"), "none");
  // the balancer name is case-insensitive, a path after it ignored
  auto upper = f.run(f.request(kPort, "b=RC&nonce=" + n(), kRef));
  EXPECT_NE(upper.body.find("Edit balancer settings for balancer://rc"), std::string::npos);
}

TEST_F(Updates, EscapingOfChangedValues) {
  worker("w_wr=%3Cb%3E%26%22%27x&w_rr=%25zz");
  EXPECT_EQ(r2().route(), "<b>&\"'x");
  auto page = f.run(f.request(kPort, "b=rc&w=http://127.0.0.1:18102&nonce=" + n(), kRef)).body;
  EXPECT_NE(page.find("<td>&lt;b&gt;&amp;&quot;'x</td><td>%zz</td>"), std::string::npos);
  EXPECT_NE(page.find("<input name='w_wr' id='w_wr' type=text value=\"&lt;b&gt;&amp;&quot;'x\">"),
            std::string::npos);
  auto xml = f.run(f.request(kPort, "xml=1", kRef)).body;
  EXPECT_NE(xml.find("<httpd:route>&lt;b&gt;&amp;&quot;'x</httpd:route>"), std::string::npos);
  bal("b_ss=%3Cx%3E%7C%26");
  page = f.run(f.request(kPort, "b=rc&nonce=" + n(), kRef)).body;
  EXPECT_NE(page.find("<td>&lt;x&gt;|&amp;</td>"), std::string::npos);
  EXPECT_NE(page.find("value =\"&lt;x&gt;|&amp;\">"), std::string::npos);
  xml = f.run(f.request(kPort, "xml=1", kRef)).body;
  EXPECT_NE(xml.find("<httpd:stickysession>&lt;x&gt;</httpd:stickysession>"), std::string::npos);
}

TEST_F(Updates, BadNewMemberUrlIs400) {
  auto r = bal("b_wyes=1&b_nwrkr=bogus");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.error_page);
  ASSERT_EQ(r.error_logs.size(), 1u);
  EXPECT_EQ(r.error_logs[0], "AH10163: balancer://rc: failed to add worker bogus");
  // b_wyes must be exactly "1"
  auto r2 = bal("b_wyes=yes&b_nwrkr=http://127.0.0.1:18106");
  EXPECT_EQ(r2.status, 200);
  EXPECT_EQ(rc().size(), 2u);
}

TEST_F(Updates, MaxAttemptsSetFlagKeptAsApacheDoes) {
  // apache2: b_max=3 on a balancer without maxattempts= does not add <httpd:maxattempts> to ?xml.
  Fixture one("<Proxy \"balancer://one\">\n BalancerMember \"http://127.0.0.1:18202\"\n</Proxy>\n",
              {"11111111-2222-3333-4444-555555555555"});
  auto r = one.run(one.post(kPort, "b=one&nonce=11111111-2222-3333-4444-555555555555&b_max=3", kRef));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(one.store().balancer(-1, "balancer://one")->settings().max_attempts, 3);
  auto xml = one.run(one.request(kPort, "xml=1", kRef)).body;
  EXPECT_EQ(xml.find("maxattempts"), std::string::npos);
}

TEST_F(Updates, XmlErrorTimeAsRfc822) {
  // apache2: "<httpd:error_time>Tue, 24 Nov 2026 04:07:06 GMT</httpd:error_time>" after the status of
  // a member that has been in error; none while error_time is 0.
  auto& w = r2();
  w.set_bits(d::kWorkerInError);
  w.set_error_time(balancer::TimePoint(std::chrono::seconds(1795493226)));
  const std::string xml = f.run(f.request(kPort, "xml=1", kRef)).body;
  EXPECT_NE(xml.find("          <httpd:status>Init Err </httpd:status>\n"
                     "          <httpd:error_time>Tue, 24 Nov 2026 04:07:06 GMT</httpd:error_time>\n"
                     "          <httpd:retries>0</httpd:retries>\n"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("<httpd:error_time>", xml.find("<httpd:error_time>") + 1), std::string::npos);
}

} // namespace
} // namespace balancerd::manager::test
