// balancer-manager pages compared byte for byte with apache2 2.4.71's, for the same configuration
// and the same requests (captures/ was taken from apache2 on loopback with captures/capture.sh:
// a fresh start, then the requests in the order of these tests). Normalised: the shared-memory id in
// "[pXXXXXXXX_name]" and "Server Built:". The nonces are apache2's own (given to the state store).
#include <gtest/gtest.h>

#include "server/manager/balancer_snapshot.hpp"
#include "server/manager/proxy_status_lines.hpp"
#include "server/manager/tests/manager_test_support.hpp"

namespace balancerd::manager::test {
namespace {

constexpr unsigned kPortA = 18480;
constexpr unsigned kPortB = 18490;
const std::string kRefA = "http://127.0.0.1:18480/balancer-manager";
const std::string kRefB = "http://127.0.0.1:18490/balancer-manager";

class ConfigA : public ::testing::Test {
protected:
  ConfigA() : f(kConfigA, nonces_of("a_nonces.txt")) {}
  std::string nonce_rc() { return capture_lines("a_nonces.txt").at(2); }
  Fixture f;
};

class ConfigB : public ::testing::Test {
protected:
  ConfigB() : f(kConfigB, nonces_of("b_nonces.txt"), true) { f.server().mark_states = false; }
  Fixture f;
};

TEST_F(ConfigA, MainPageMatchesApache) {
  auto r = f.run(f.request(kPortA));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=ISO-8859-1");
  EXPECT_EQ(normalise(r.body), normalise(read_capture("a_main.html")));
  // No Referer: apache2 logs AH10187 even without parameters.
  ASSERT_EQ(r.error_logs.size(), 1u);
  EXPECT_EQ(r.error_logs[0],
            "AH10187: ignoring params in balancer-manager cross-site access (null): 127.0.0.1");
}

TEST_F(ConfigA, XmlMatchesApache) {
  auto r = f.run(f.request(kPortA, "xml=1", kRefA));
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_EQ(r.body, read_capture("a_xml.xml"));
  EXPECT_TRUE(r.error_logs.empty());
}

TEST_F(ConfigA, XmlWithoutRefererIsTheHtmlPage) {
  auto r = f.run(f.request(kPortA, "xml=1"));
  EXPECT_EQ(r.content_type, "text/html; charset=ISO-8859-1");
  EXPECT_EQ(normalise(r.body), normalise(read_capture("a_main.html")));
}

TEST_F(ConfigA, BalancerEditPageMatchesApache) {
  auto r = f.run(f.request(kPortA, "b=rc&nonce=" + nonce_rc(), kRefA));
  EXPECT_EQ(normalise(r.body), normalise(read_capture("a_bedit_rc.html")));
}

TEST_F(ConfigA, WorkerEditPageMatchesApache) {
  auto r = f.run(f.request(kPortA, "b=rc&w=http://127.0.0.1:18101&nonce=" + nonce_rc(), kRefA));
  EXPECT_EQ(normalise(r.body), normalise(read_capture("a_wedit_rc.html")));
}

TEST_F(ConfigA, UpdatesMatchApacheStepByStep) {
  const std::string n = nonce_rc();
  // 1. worker: w_lf=5, w_status_D=1, w_ls=1, w_rr=r2 (recalc_factors sets every Load to its factor)
  auto r1 = f.run(f.post(
      kPortA, "b=rc&w=http://127.0.0.1:18101&nonce=" + n + "&w_lf=5&w_status_D=1&w_ls=1&w_rr=r2", kRefA));
  EXPECT_EQ(r1.status, 200);
  EXPECT_EQ(std::to_string(r1.status) + "\n", read_capture("a_update1.status"));
  EXPECT_EQ(normalise(f.run(f.request(kPortA)).body), normalise(read_capture("a_update1.html")));
  // 2. balancer: lbmethod, timeout, maxattempts, nofailover, stickysession "C|P"
  auto r2 = f.run(f.post(
      kPortA, "b=rc&nonce=" + n + "&b_lbm=bybusyness&b_tmo=5&b_max=3&b_sforce=1&b_ss=SESS%7Csess", kRefA));
  EXPECT_EQ(r2.status, 200);
  EXPECT_EQ(f.run(f.request(kPortA, "xml=1", kRefA)).body, read_capture("a_update2.xml"));
  // 3. a new member (growth=2): disabled, named as typed (trailing slash kept)
  auto r3 = f.run(f.post(kPortA, "b=rc&nonce=" + n + "&b_wyes=1&b_nwrkr=http://127.0.0.1:18105/", kRefA));
  EXPECT_EQ(r3.status, 200);
  EXPECT_EQ(normalise(f.run(f.request(kPortA, "b=rc&nonce=" + n, kRefA)).body),
            normalise(read_capture("a_update3.html")));
  // 4. the same member again: Apache's 400 error page and AH10164
  auto r4 = f.run(f.post(kPortA, "b=rc&nonce=" + n + "&b_wyes=1&b_nwrkr=http://127.0.0.1:18105/", kRefA));
  EXPECT_EQ(r4.status, 400);
  EXPECT_TRUE(r4.error_page);
  EXPECT_EQ(read_capture("a_update4.status"), "HTTP/1.1 400 Bad Request\r\n");
  ASSERT_EQ(r4.error_logs.size(), 1u);
  EXPECT_EQ(r4.error_logs[0], "AH10164: balancer://rc: failed to add worker http://127.0.0.1:18105/");
}

TEST_F(ConfigA, ServerStatusLinesMatchApache) {
  // The capture was taken after the three changes of UpdatesMatchApacheStepByStep.
  const std::string n = nonce_rc();
  f.run(f.post(kPortA, "b=rc&w=http://127.0.0.1:18101&nonce=" + n + "&w_lf=5&w_status_D=1&w_ls=1&w_rr=r2",
               kRefA));
  f.run(f.post(kPortA, "b=rc&nonce=" + n + "&b_lbm=bybusyness&b_tmo=5&b_max=3&b_sforce=1&b_ss=SESS%7Csess",
               kRefA));
  f.run(f.post(kPortA, "b=rc&nonce=" + n + "&b_wyes=1&b_nwrkr=http://127.0.0.1:18105/", kRefA));
  const auto rows = snapshot_balancers(f.store(), -1, 25);
  std::string html, text;
  append_proxy_status_html(html, rows);
  append_proxy_status_auto(text, rows);
  EXPECT_EQ(html, read_capture("a_status_proxy.html"));
  EXPECT_EQ(text, read_capture("a_status_auto.txt"));
}

TEST_F(ConfigB, MainPageMatchesApache) {
  auto r = f.run(f.request(kPortB));
  EXPECT_EQ(normalise(r.body), normalise(read_capture("b_main.html")));
}

TEST_F(ConfigB, XmlMatchesApache) {
  EXPECT_EQ(f.run(f.request(kPortB, "xml=1", kRefB)).body, read_capture("b_xml.xml"));
}

TEST_F(ConfigB, WorkerEditPagesMatchApache) {
  EXPECT_EQ(normalise(f.run(f.request(kPortB, "b=full&w=http://127.0.0.1:18201&nonce=", kRefB)).body),
            normalise(read_capture("b_wedit_full.html")));
  EXPECT_EQ(normalise(f.run(f.request(kPortB, "b=full&w=http://uds.example/&nonce=", kRefB)).body),
            normalise(read_capture("b_wedit_uds.html")));
}

TEST_F(ConfigB, BalancerEditPageMatchesApache) {
  EXPECT_EQ(normalise(f.run(f.request(kPortB, "b=full&nonce=", kRefB)).body),
            normalise(read_capture("b_bedit_full.html")));
}

TEST_F(ConfigB, ServerStatusLinesMatchApache) {
  const auto rows = snapshot_balancers(f.store(), -1, 25);
  std::string html, text;
  append_proxy_status_html(html, rows);
  append_proxy_status_auto(text, rows);
  EXPECT_EQ(html, read_capture("b_status_proxy.html"));
  EXPECT_EQ(text, read_capture("b_status_auto.txt"));
}

TEST_F(ConfigB, NonceNoneRefusesChanges) {
  // nonce=None: apache2 2.4.71 changes nothing (verified: w_lf stayed 1.00).
  auto r = f.run(f.post(kPortB, "b=full&w=http://127.0.0.1:18201&w_lf=7&nonce=", kRefB));
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(f.store().balancer(-1, "balancer://full")->member(0).lbfactor.load(), 100);
}

TEST(ConfigC, VirtualHostPagesMatchApache) {
  // Pages of the two name-based virtual hosts (Host: v1.example / v2.example); nonces normalised
  // because the store hands them out in its own order.
  Fixture f(kConfigC, {});
  for (int i = 0; i < 2; ++i) {
    f.use_server(i);
    const std::string host = i == 0 ? "v1.example" : "v2.example";
    ManagerRequest r = f.request(18470);
    r.identity.server_name = host;
    r.identity.port = 80;
    EXPECT_EQ(without_nonces(normalise(f.run(r).body)),
              without_nonces(normalise(read_capture("c_" + host + ".html"))))
        << host;
  }
}

} // namespace
} // namespace balancerd::manager::test
