// The request-parameter reader, the Referer check and the small formatters, against what apache2
// 2.4.71 did with the same input (each expectation below was observed on loopback).
#include <gtest/gtest.h>

#include "directives/model/proxy_worker.hpp"
#include "server/manager/form_params.hpp"
#include "server/manager/page_format.hpp"
#include "server/manager/request_identity.hpp"

namespace balancerd::manager {
namespace {

namespace d = directives;

std::string get(const Params& p, std::string_view k) {
  const std::string* v = p.get(k);
  return v ? *v : std::string("<absent>");
}

TEST(FormParams, ValuesAreDecodedTwiceKeysOnce) {
  Params p;
  // b=de%2561d selected balancer "dead"; w_wr=%252541 gave the route "%41"; w%255Fwr was no w_wr.
  parse_body_params("b=de%2561d&w_wr=%252541&w%255Fwr=k2&w_rr=x%25", p);
  EXPECT_EQ(get(p, "b"), "dead");
  EXPECT_EQ(get(p, "w_wr"), "%41");
  EXPECT_EQ(get(p, "w%5Fwr"), "k2");
  EXPECT_EQ(get(p, "w_rr"), "x%");
}

TEST(FormParams, PlusIsKeptAndBadEscapesStay) {
  Params p;
  parse_body_params("w_wr=a+b%20c&w_rr=%zz&w_hu=%2", p);
  EXPECT_EQ(get(p, "w_wr"), "a+b c");
  EXPECT_EQ(get(p, "w_rr"), "%zz");
  EXPECT_EQ(get(p, "w_hu"), "%2");
}

TEST(FormParams, DecodedNulEndsTheValue) {
  Params p;
  parse_body_params("w_wr=%2541%00x", p); // apache2 stored "A"
  EXPECT_EQ(get(p, "w_wr"), "A");
}

TEST(FormParams, EncodedAmpersandStaysInTheValue) {
  Params p;
  parse_body_params("w_wr=a%26w_rr%3Dzz&x=a=b=c", p);
  EXPECT_EQ(get(p, "w_wr"), "a&w_rr=zz");
  EXPECT_EQ(get(p, "w_rr"), "<absent>");
  EXPECT_EQ(get(p, "x"), "a=b=c");
}

TEST(FormParams, EmptyPiecesSkippedKeyWithoutValueIsEmpty) {
  Params p;
  parse_body_params("&&w_wr&w_rr=r&", p);
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(get(p, "w_wr"), "");
  EXPECT_EQ(get(p, "w_rr"), "r");
}

TEST(FormParams, LaterKeyWinsAndKeysAreCaseInsensitive) {
  Params p;
  parse_body_params("w_wr=q4&w_wr=q5&NONCE=a&nonce=zz", p);
  EXPECT_EQ(get(p, "w_wr"), "q5");
  EXPECT_EQ(get(p, "nonce"), "zz");
  EXPECT_EQ(get(p, "W_WR"), "q5");
  EXPECT_EQ(p.size(), 2u);
}

TEST(FormParams, QueryKeepsOnlyApacheKeysCaseSensitively) {
  Params p;
  parse_query_params("b=rc&w_lf=6&XML=1&NONCE=x&w=http://h&nonce=n&xml", p);
  EXPECT_EQ(get(p, "b"), "rc");
  EXPECT_EQ(get(p, "w"), "http://h");
  EXPECT_EQ(get(p, "nonce"), "n");
  EXPECT_EQ(get(p, "xml"), "");
  EXPECT_EQ(get(p, "w_lf"), "<absent>");
  EXPECT_EQ(p.size(), 4u);
}

TEST(FormParams, BodyStopsAtARawNul) {
  Params p;
  parse_body_params(std::string_view("w_wr=a\0&w_rr=b", 14), p);
  EXPECT_EQ(get(p, "w_wr"), "a");
  EXPECT_EQ(get(p, "w_rr"), "<absent>");
}

TEST(Referer, HostMustBeTheServerNamePortIgnored) {
  EXPECT_TRUE(safe_referer("http://127.0.0.1:18480/balancer-manager", "127.0.0.1"));
  EXPECT_TRUE(safe_referer("http://127.0.0.1:9999/zz", "127.0.0.1"));
  EXPECT_TRUE(safe_referer("http://127.0.0.1/", "127.0.0.1"));
  EXPECT_TRUE(safe_referer("https://FOO.example/x", "foo.example"));
  EXPECT_TRUE(safe_referer("http://user:pw@127.0.0.1/", "127.0.0.1"));
  EXPECT_TRUE(safe_referer("http://[::1]:18480/", "::1"));
  EXPECT_TRUE(safe_referer("//127.0.0.1/x", "127.0.0.1"));
  EXPECT_FALSE(safe_referer("http://localhost:18480/", "127.0.0.1"));
  EXPECT_FALSE(safe_referer("127.0.0.1", "127.0.0.1")); // no scheme: no hostname (apache2 refused it)
  EXPECT_FALSE(safe_referer("", "127.0.0.1"));
  EXPECT_FALSE(safe_referer("http://127.0.0.1:abc/", "127.0.0.1"));
  EXPECT_FALSE(safe_referer("http://127.0.0.1.evil/", "127.0.0.1"));
}

TEST(Identity, HostHeaderNameAndPort) {
  IdentityInputs in;
  in.host = "Foo.Example";
  auto id = identify(in);
  EXPECT_EQ(id.server_name, "foo.example");
  EXPECT_EQ(construct_url(id, "/balancer-manager"), "http://foo.example/balancer-manager");
  in.host = "[::1]";
  in.host_port = "18480";
  id = identify(in);
  EXPECT_EQ(id.server_name, "::1");
  EXPECT_EQ(construct_url(id, "/bm"), "http://[::1]:18480/bm");
  IdentityInputs none;
  none.server_name = "localhost";
  EXPECT_EQ(identify(none).server_name, "localhost");
  IdentityInputs canonical;
  canonical.host = "other";
  canonical.server_name = "www.example:8080";
  canonical.server_port = 8080;
  canonical.use_canonical_name = "On";
  id = identify(canonical);
  EXPECT_EQ(id.server_name, "www.example");
  EXPECT_EQ(id.port, 8080u);
}

TEST(Format, StrfsizeAsApr) {
  auto f = [](std::int64_t n) {
    std::string s;
    append_strfsize(s, n);
    return s;
  };
  EXPECT_EQ(f(0), "  0 ");
  EXPECT_EQ(f(396), "396 ");
  EXPECT_EQ(f(972), "972 ");
  EXPECT_EQ(f(973), "1.0K");
  EXPECT_EQ(f(1071), "1.0K");
  EXPECT_EQ(f(1181), "1.2K");
  EXPECT_EQ(f(2299), "2.2K");
  EXPECT_EQ(f(9 * 1024 + 972), "9.9K");
  EXPECT_EQ(f(10 * 1024), " 10K");
  EXPECT_EQ(f(1024 * 1024 + 100 * 1024), "1.1M");
  EXPECT_EQ(f(-1), "  - ");
}

TEST(Format, StatusTextInModProxyTableOrder) {
  EXPECT_EQ(worker_status_text(d::kWorkerInitialized), "Init Ok ");
  EXPECT_EQ(worker_status_text(d::kWorkerInitialized | d::kWorkerDisabled), "Init Dis ");
  EXPECT_EQ(worker_status_text(0), "??? ");
  // Spar comes before HcFl although its bit is higher (apache2: "Init Ign Drn Dis Stop Stby Spar HcFl ").
  EXPECT_EQ(worker_status_text(d::kWorkerInitialized | d::kWorkerIgnoreErrors | d::kWorkerDrain |
                               d::kWorkerDisabled | d::kWorkerStopped | d::kWorkerHotStandby |
                               d::kWorkerHotSpare | d::kWorkerHcFail),
            "Init Ign Drn Dis Stop Stby Spar HcFl ");
  EXPECT_EQ(worker_status_text(d::kWorkerInitialized | d::kWorkerIgnoreErrors | d::kWorkerDrain),
            "Init Ign Drn Ok ");
}

TEST(Format, EscapeUriAsApEscapeUri) {
  std::string s;
  // apache2 printed the request path "/balancer-manager/<>\"&'#%x? ~+;=@$,[]{}|\\^`é" so:
  append_escaped_uri(s, "/balancer-manager/<>\"&'#%x? ~+;=@$,[]{}|\\^`\xc3\xa9");
  EXPECT_EQ(s, "/balancer-manager/%3c%3e%22&'%23%25x%3f%20~+;=@$,%5b%5d%7b%7d%7c%5c%5e%60%c3%a9");
}

TEST(Format, HtmlEscapingLeavesTheApostrophe) {
  std::string s;
  append_html(s, "<b>&\"'x");
  EXPECT_EQ(s, "&lt;b&gt;&amp;&quot;'x");
}

TEST(Format, FactorTwoDecimals) {
  std::string s;
  append_factor(s, 123);
  s += ' ';
  append_factor(s, 10000);
  EXPECT_EQ(s, "1.23 100.00");
}

} // namespace
} // namespace balancerd::manager
