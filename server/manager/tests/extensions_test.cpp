// The extensions beyond Apache: ?auto, ?prometheus, ?json, JSON updates and the HTML row marks, and
// that requests Apache defines keep Apache's answer.
#include <gtest/gtest.h>

#include "directives/model/proxy_worker.hpp"
#include "server/manager/html_page.hpp"
#include "server/manager/json_params.hpp"
#include "server/manager/json_view.hpp"
#include "server/manager/prometheus_text.hpp"
#include "server/manager/tests/manager_test_support.hpp"

namespace balancerd::manager::test {
namespace {

namespace d = directives;
constexpr unsigned kPort = 18480;
const std::string kRef = "http://127.0.0.1:18480/balancer-manager";

class Extensions : public ::testing::Test {
protected:
  Extensions() : f(kConfigA, nonces_of("a_nonces.txt")) {}
  std::string n() { return capture_lines("a_nonces.txt").at(2); }
  balancer::BalancerState& rc() { return *f.store().balancer(-1, "balancer://rc"); }
  ManagerResponse json_post(const std::string& body, std::optional<std::string> referer = kRef) {
    ManagerRequest r = f.post(kPort, body, std::move(referer));
    r.json_body = true;
    return f.run(r);
  }
  Fixture f;
};

TEST_F(Extensions, AutoListsEveryMemberWithLoad) {
  rc().member(0).elected.store(5);
  rc().member(0).lbstatus.store(-100);
  rc().member(0).transferred.store(2048);
  rc().member(0).read.store(3 * 1024 + 1000);
  auto r = f.run(f.request(kPort, "auto"));
  EXPECT_EQ(r.content_type, "text/plain; charset=ISO-8859-1");
  EXPECT_NE(r.body.find("ProxyBalancer[0]Name: balancer://mycluster\n"
                        "ProxyBalancer[0]Worker[0]Name: http://127.0.0.1:18101\n"
                        "ProxyBalancer[0]Worker[0]Status: Init Ok \n"
                        "ProxyBalancer[0]Worker[0]Elected: 0\n"
                        "ProxyBalancer[0]Worker[0]Busy: 0\n"
                        "ProxyBalancer[0]Worker[0]Load: 0\n"
                        "ProxyBalancer[0]Worker[0]Sent: 0K\n"
                        "ProxyBalancer[0]Worker[0]Rcvd: 0K\n"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("ProxyBalancer[2]Worker[0]Elected: 5\n"
                        "ProxyBalancer[2]Worker[0]Busy: 0\n"
                        "ProxyBalancer[2]Worker[0]Load: -100\n"
                        "ProxyBalancer[2]Worker[0]Sent: 2K\n"
                        "ProxyBalancer[2]Worker[0]Rcvd: 3K\n"),
            std::string::npos)
      << r.body;
  EXPECT_TRUE(r.error_logs.empty()); // a read-only view: no Referer needed, nothing logged
}

TEST_F(Extensions, ApacheKeysWinOverExtensions) {
  // With an Apache key in the query the request is Apache's: the HTML page.
  auto r = f.run(f.request(kPort, "auto&b=rc"));
  EXPECT_EQ(r.content_type, "text/html; charset=ISO-8859-1");
  r = f.run(f.request(kPort, "json&xml=1", kRef));
  EXPECT_EQ(r.content_type, "text/xml");
  // A POST is always Apache's form unless its body is JSON.
  r = f.run(f.post(kPort, "auto", kRef));
  EXPECT_EQ(r.content_type, "text/html; charset=ISO-8859-1");
}

TEST_F(Extensions, PrometheusExposition) {
  rc().member(1).elected.store(7);
  rc().member(1).set_bits(d::kWorkerDrain);
  auto r = f.run(f.request(kPort, "prometheus"));
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& b = r.body;
  EXPECT_NE(b.find("# TYPE balancerd_worker_elected_total counter\n"), std::string::npos);
  EXPECT_NE(
      b.find(
          "balancerd_worker_elected_total{balancer=\"balancer://rc\",worker=\"http://127.0.0.1:18102\"} 7\n"),
      std::string::npos);
  EXPECT_NE(b.find("balancerd_worker_status{balancer=\"balancer://rc\",worker=\"http://"
                   "127.0.0.1:18102\",flag=\"Drn\"} 1\n"),
            std::string::npos);
  EXPECT_NE(b.find("balancerd_worker_status{balancer=\"balancer://rc\",worker=\"http://"
                   "127.0.0.1:18101\",flag=\"Drn\"} 0\n"),
            std::string::npos);
  EXPECT_NE(b.find("balancerd_balancer_max_members{balancer=\"balancer://rc\"} 4\n"), std::string::npos);
  EXPECT_NE(b.find("balancerd_worker_load_factor{balancer=\"balancer://mycluster\",worker=\"http://"
                   "127.0.0.1:18102\"} 2.00\n"),
            std::string::npos);
  // every sample line is "name{labels} value"
  std::istringstream in(b);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0) continue;
    EXPECT_NE(line.find("} "), std::string::npos) << line;
  }
}

TEST(Prometheus, LabelValuesEscaped) {
  std::string s;
  append_label_value(s, "a\\b\"c\nd");
  EXPECT_EQ(s, "a\\\\b\\\"c\\nd");
}

TEST_F(Extensions, JsonView) {
  auto r = f.run(f.request(kPort, "json"));
  EXPECT_EQ(r.content_type, "application/json");
  const std::string& b = r.body;
  EXPECT_EQ(
      b.rfind("{\"server\":\"127.0.0.1\",\"persist\":false,\"balancer_inherit\":true,\"pass_inherit\":true,"
              "\"updated\":false,\"balancers\":[{\"name\":\"balancer://mycluster\"",
              0),
      0u)
      << b;
  EXPECT_NE(b.find("\"sticky\":\"JSESSIONID\",\"sticky_path\":\"jsessionid\""), std::string::npos);
  EXPECT_NE(
      b.find(
          "{\"name\":\"http://127.0.0.1:18103\",\"display_name\":\"http://127.0.0.1:18103\",\"route\":\"b3\","
          "\"redirect\":\"\",\"load_factor\":1.00,\"lbset\":0,\"status\":\"Init Stby Ok \","
          "\"flags\":[\"Init\",\"Stby\"],\"usable\":true"),
      std::string::npos)
      << b;
  EXPECT_NE(b.find("\"error_time\":null,\"hc\":{\"method\":\"NONE\",\"interval_ms\":30000"),
            std::string::npos);
  EXPECT_EQ(b.back(), '\n');
}

TEST(JsonString, Escapes) {
  std::string s;
  append_json_string(s, "a\"b\\c\n\x01");
  EXPECT_EQ(s, "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST(JsonParams, FlatObject) {
  Params p;
  ASSERT_FALSE(parse_json_params(R"( {"b":"rc","w_lf":2.5,"w_status_D":true,"w_status_S":false,"x":null,
                                     "w_wr":"a\u00e9\"%41"} )",
                                 p));
  EXPECT_EQ(*p.get("b"), "rc");
  EXPECT_EQ(*p.get("w_lf"), "2.5");
  EXPECT_EQ(*p.get("w_status_D"), "1");
  EXPECT_EQ(*p.get("w_status_S"), "0");
  EXPECT_EQ(p.get("x"), nullptr);
  EXPECT_EQ(*p.get("w_wr"), "a\xc3\xa9\"%41"); // no %-decoding
}

TEST(JsonParams, Malformed) {
  Params p;
  EXPECT_TRUE(parse_json_params("", p));
  EXPECT_TRUE(parse_json_params("[]", p));
  EXPECT_TRUE(parse_json_params(R"({"b":{"x":1}})", p));
  EXPECT_TRUE(parse_json_params(R"({"b":"rc"} x)", p));
  EXPECT_TRUE(parse_json_params(R"({"b":"rc",})", p));
  EXPECT_TRUE(parse_json_params(R"({"b":"\q"})", p));
  EXPECT_TRUE(parse_json_params(R"({"b":01})", p));
  EXPECT_FALSE(parse_json_params("{}", p));
}

TEST(JsonParams, ContentType) {
  EXPECT_TRUE(is_json_content_type("application/json"));
  EXPECT_TRUE(is_json_content_type("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(is_json_content_type("application/x-www-form-urlencoded"));
  EXPECT_FALSE(is_json_content_type("application/jsonx"));
}

TEST_F(Extensions, JsonUpdateAppliedWithNonceAndReferer) {
  auto r = json_post(R"({"b":"rc","w":"http://127.0.0.1:18102","nonce":")" + n() +
                     R"(","w_lf":3,"w_status_N":true,"w_wr":"x&y"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_NE(r.body.find("\"updated\":true"), std::string::npos);
  EXPECT_EQ(rc().member(1).lbfactor.load(), 300);
  EXPECT_TRUE(rc().member(1).has(d::kWorkerDrain));
  EXPECT_EQ(rc().member(1).route(), "x&y");
  EXPECT_NE(r.body.find("\"route\":\"x&y\""), std::string::npos);
}

TEST_F(Extensions, JsonUpdateGuardedLikeTheForm) {
  auto r =
      json_post(R"({"b":"rc","w":"http://127.0.0.1:18102","nonce":")" + n() + R"(","w_lf":3})", std::nullopt);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"updated\":false"), std::string::npos);
  EXPECT_EQ(r.error_logs.size(), 1u);
  r = json_post(R"({"b":"rc","w":"http://127.0.0.1:18102","nonce":"nope","w_lf":3})");
  EXPECT_NE(r.body.find("\"updated\":false"), std::string::npos);
  r = json_post(R"({"b":"rc","w":"http://127.0.0.1:18102","w_lf":3})");
  EXPECT_NE(r.body.find("\"updated\":false"), std::string::npos);
  EXPECT_EQ(rc().member(1).lbfactor.load(), 100);
}

// Apache ignores a bad value silently; the JSON answer says which values were not taken and why, and
// why a whole update was ignored.
TEST_F(Extensions, JsonUpdateSaysWhyValuesWereNotTaken) {
  auto r = json_post(R"({"b":"rc","w":"http://127.0.0.1:18102","nonce":")" + n() +
                     R"(","w_lf":0.5,"w_ls":7,"w_hm":"BOGUS","b_tmo":9000})");
  EXPECT_NE(r.body.find("\"updated\":true"), std::string::npos);
  EXPECT_NE(
      r.body.find(
          R"("rejected":[{"param":"w_lf","value":"0.5","reason":"not a load factor from 1 to 100: )"
          R"(ignored"},{"param":"w_hm","value":"BOGUS","reason":"not a health-check method: ignored"},)"
          R"({"param":"b_tmo","value":"9000","reason":"not a timeout from 0 to 7200 seconds: ignored"}])"),
      std::string::npos)
      << r.body;
  EXPECT_EQ(rc().member(1).lbfactor.load(), 100);
  EXPECT_EQ(rc().member(1).lbset.load(), 7); // the good value was applied
  EXPECT_EQ(r.body.find("\"refused\""), std::string::npos);

  r = json_post(R"({"b":"rc","w":"http://127.0.0.1:18102","nonce":"nope","w_lf":3})");
  EXPECT_NE(r.body.find(R"("refused":"missing or wrong nonce: the update was ignored")"), std::string::npos);
  r = json_post(R"({"b":"rc","w":"http://127.0.0.1:18102","nonce":")" + n() + R"(","w_lf":3})", std::nullopt);
  EXPECT_NE(r.body.find(R"("refused":"no Referer: the update was ignored")"), std::string::npos);
  r = json_post(R"({"b":"nosuch","nonce":")" + n() + R"(","b_tmo":3})");
  EXPECT_NE(r.body.find(R"("refused":"no balancer of that name (b): the update was ignored")"),
            std::string::npos);
  r = json_post(R"({"b":"rc","w":"http://127.0.0.1:1","nonce":")" + n() + R"(","w_lf":3})");
  EXPECT_NE(
      r.body.find(R"("rejected":[{"param":"w","value":"http://127.0.0.1:1","reason":"no member of that )"
                  R"(name: its settings were ignored"}])"),
      std::string::npos)
      << r.body;
  // Plain ?json (no update) has neither key.
  r = f.run(f.request(kPort, "json"));
  EXPECT_EQ(r.body.find("\"rejected\""), std::string::npos);
  EXPECT_EQ(r.body.find("\"refused\""), std::string::npos);
}

TEST_F(Extensions, JsonUpdateErrors) {
  auto r = json_post("{\"b\":");
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(r.error_page);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body.rfind("{\"error\":\"malformed JSON update: ", 0), 0u);
  r = json_post(R"({"b":"rc","nonce":")" + n() + R"(","b_wyes":"1","b_nwrkr":"bogus"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.error_logs.back(), "AH10163: balancer://rc: failed to add worker bogus");
}

TEST_F(Extensions, HtmlMarksErrorAndDrainingRows) {
  rc().member(0).set_bits(d::kWorkerInError);
  rc().member(1).set_bits(d::kWorkerDrain);
  const std::string page = f.run(f.request(kPort)).body;
  EXPECT_NE(page.find("tr.bm-error td {\n background-color: #ffb0b0;\n}\n"), std::string::npos);
  EXPECT_NE(
      page.find(
          "<tr class='bm-error'>\n<td><a href=\"/balancer-manager?b=rc&amp;w=http://127.0.0.1:18101&amp;"),
      std::string::npos);
  EXPECT_NE(
      page.find(
          "<tr class='bm-drain'>\n<td><a href=\"/balancer-manager?b=rc&amp;w=http://127.0.0.1:18102&amp;"),
      std::string::npos);
  // Without marks (or without such members) the page is Apache's.
  f.server().mark_states = false;
  const std::string plain = f.run(f.request(kPort)).body;
  EXPECT_EQ(plain.find("bm-"), std::string::npos);
  EXPECT_EQ(row_mark(d::kWorkerInitialized), "");
  EXPECT_EQ(row_mark(d::kWorkerInitialized | d::kWorkerHcFail), "bm-error");
}

} // namespace
} // namespace balancerd::manager::test
