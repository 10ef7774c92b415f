// ProxyPassReverse and the cookie rules. Expected values are the response headers apache2 2.4.71
// sent to the client when the loopback backend answered with the input value (recorded live on
// 2026-11-24; UseCanonicalName Off, so the front end's URL comes from the client's Host header:
// "front.example" without a port gives port 80).
#include "server/proxypass/reverse_map.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

namespace balancerd::proxypass {
namespace {

using test::compile_ok;

constexpr const char* kConf = "ProxyPass /d/ http://127.0.0.1:18741/app/\n"
                              "ProxyPassReverse /d/ http://127.0.0.1:18741/app/\n"
                              "ProxyPassReverse /root/ /back/\n"
                              "ProxyPassReverse / http://other.example/\n"
                              "ProxyPassReverseCookiePath /app/ /d/\n"
                              "ProxyPassReverseCookiePath / /rootc/\n"
                              "ProxyPassReverseCookieDomain backend.example public.example\n"
                              "ProxyPassReverseCookieDomain .int.example .pub.example\n"
                              "<Proxy balancer://bl>\n"
                              "BalancerMember http://127.0.0.1:18742/m1/\n"
                              "BalancerMember http://127.0.0.2:18742\n"
                              "</Proxy>\n"
                              "ProxyPassReverse /bal/ balancer://bl/sub/\n"
                              "ProxyPassReverse /bal2/ balancer://BL\n";

struct Row {
  const char* in;
  const char* out;
};

TEST(ReverseMap, LocationHeaders) {
  const auto c = compile_ok(kConf);
  const SelfUrl self{"http", "front.example", 80};
  const Row rows[] = {
      {"http://127.0.0.1:18741/app/x/y?z", "http://front.example/d/x/y?z"},
      {"HTTP://127.0.0.1:18741/APP/x", "http://front.example/d/x"},
      {"http://127.0.0.1:18741/ap", "http://127.0.0.1:18741/ap"},
      {"http://127.0.0.1:18741/app/c", "http://front.example/d/c"},
      {"http://zz.example/back/q", "http://front.example/root/q"},
      {"/back/q", "http://front.example/root/q"},
      {"http://other.example/w", "http://front.example/w"},
      {"http://other.example", "http://other.example"},
      {"http://127.0.0.1:18742/m1/sub/a", "http://front.example/bal/a"},
      {"http://127.0.0.1:18742/m1/a", "http://front.example/bal2/a"},
      {"http://127.0.0.2:18742/sub/b", "http://front.example/bal/b"},
      {"http://127.0.0.2:18742/c", "http://front.example/bal2//c"},
  };
  for (const auto& r : rows)
    EXPECT_EQ(reverse_url(c.config->main.proxy, *c.config->main.dir.proxy, r.in, self), r.out) << r.in;
}

TEST(ReverseMap, SelfUrlFollowsHost) {
  const auto c = compile_ok(kConf);
  const auto& s = c.config->main.proxy;
  const auto& d = *c.config->main.dir.proxy;
  // Host: Front.Example:8080 (r->hostname is lower-cased) and Host: [::1]:99.
  EXPECT_EQ(reverse_url(s, d, "http://127.0.0.1:18741/app/x", {"http", "front.example", 8080}),
            "http://front.example:8080/d/x");
  EXPECT_EQ(reverse_url(s, d, "http://127.0.0.1:18741/app/x", {"http", "::1", 99}), "http://[::1]:99/d/x");
  EXPECT_EQ(construct_url({"https", "h", 443}, "/p"), "https://h/p");
  EXPECT_EQ(construct_url({"https", "h", 80}, "/p"), "https://h:80/p");
}

// Recorded live: Location rewritten under vhosts "ServerName on.example:8443" + UseCanonicalName On,
// "ServerName onnp.example" + On, "ServerName offp.example:9000" (Off), with various Host headers.
TEST(ReverseMap, SelfHostAndPort) {
  struct Row {
    bool on;
    const char* server_name;
    std::uint16_t server_port;
    const char* host;
    std::optional<std::uint16_t> port;
    const char* url;
  } rows[] = {
      {true, "on.example", 8443, "on.example", std::nullopt, "http://on.example:8443/d/x"},
      {true, "on.example", 8443, "on.example", 77, "http://on.example:8443/d/x"},
      {true, "onnp.example", 0, "onnp.example", std::nullopt, "http://onnp.example/d/x"},
      {true, "onnp.example", 0, "onnp.example", 77, "http://onnp.example/d/x"},
      {false, "offp.example", 9000, "offp.example", std::nullopt, "http://offp.example:9000/d/x"},
      {false, "offp.example", 9000, "offp.example", 77, "http://offp.example:77/d/x"},
      {false, "offp.example", 9000, "offp.example", 55, "http://offp.example:55/d/x"}, // absolute URI
      {false, "offp.example", 9000, "OFFP.example.", std::nullopt, "http://offp.example:9000/d/x"},
      {false, "front.example", 0, "front.example", std::nullopt, "http://front.example/d/x"},
      {false, "front.example", 0, "", std::nullopt, "http://front.example/d/x"},
  };
  for (const auto& r : rows) {
    const std::string host = self_host(r.on, r.server_name, r.host);
    const SelfUrl self{"http", host, self_port("http", r.on, r.server_port, r.port)};
    EXPECT_EQ(construct_url(self, "/d/x"), r.url) << r.host;
  }
  EXPECT_EQ(self_port("https", false, 0, std::nullopt), 443);
}

TEST(ReverseMap, Cookies) {
  const auto c = compile_ok(kConf);
  const auto& d = *c.config->main.dir.proxy;
  const Row rows[] = {
      {"a=b; Domain=backend.example; Path=/app/sub", "a=b; Domain=public.example; Path=/d/"},
      {"a=b;path=/app/x;domain=x.int.example;secure", "a=b;path=/d/;domain=x.int.example;secure"},
      {"a=b; domain=BACKEND.example.org; path=/other", "a=b; domain=public.example; path=/rootc/"},
      {"a=b; domain=www.backend.example", "a=b; domain=www.backend.example"},
      {"path=/app/; a=b", "path=/d/; a=b"},
      {"a=b; Path=/app/ ; Domain=backend.example ; x", "a=b; Path=/d/; Domain=public.example; x"},
      {"a=b; Path=/app/; Path=/x/", "a=b; Path=/app/; Path=/rootc/"},
      {"a=b", "a=b"},
  };
  for (const auto& r : rows) EXPECT_EQ(reverse_cookie(d, r.in), r.out) << r.in;
}

// Recorded live with "ProxyPassReverseCookieDomain backend.example public.example" and
// "ProxyPassReverseCookiePath /app /pub": the domain is compared as a prefix (a leading dot defeats
// it), the whole path value is replaced, attribute names must be followed by '=' directly.
TEST(ReverseMap, CookiePrefixQuirks) {
  const auto c = compile_ok("ProxyPassReverseCookieDomain backend.example public.example\n"
                            "ProxyPassReverseCookiePath /app /pub\n");
  const auto& d = *c.config->main.dir.proxy;
  const Row rows[] = {
      {"a=b; Domain=.backend.example; Path=/application", "a=b; Domain=.backend.example; Path=/pub"},
      {"a=b; PATH =/app; path=; Domain=", "a=b; PATH =/app; path=; Domain="},
      {"a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT; domain=backend.example;path=/app/x",
       "a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT; domain=public.example;path=/pub"},
      {"domain=backend.example", "domain=public.example"},
  };
  for (const auto& r : rows) EXPECT_EQ(reverse_cookie(d, r.in), r.out) << r.in;
}

// Recorded live (reverse_cases.txt): only the last path= / domain= attribute counts.
TEST(ReverseMap, CookieLastAttributeDecides) {
  const auto c = compile_ok("ProxyPassReverseCookiePath /app/ /d/\n"
                            "ProxyPassReverseCookieDomain backend.example public.example\n");
  const auto& d = *c.config->main.dir.proxy;
  EXPECT_EQ(reverse_cookie(d, "a=b; path=/app/x; Path=/other"), "a=b; path=/app/x; Path=/other");
  EXPECT_EQ(reverse_cookie(d, "a=b; domain=backend.example; domain=www.backend.example"),
            "a=b; domain=backend.example; domain=www.backend.example");
  EXPECT_EQ(reverse_cookie(d, "a=b; path=/x; path=/app/"), "a=b; path=/x; path=/d/");
}

// Recorded live with "SetEnvIf Request_URI . F=front B=127.0.0.1:18741" and this config.
TEST(ReverseMap, InterpolatedRules) {
  const auto c = compile_ok("ProxyPassInterpolateEnv On\n"
                            "ProxyPass /front/ http://${B}/app/ interpolate\n"
                            "ProxyPassReverse /${F}/ http://${B}/ interpolate\n"
                            "ProxyPassReverse /plain/ http://${B}/\n"
                            "ProxyPassReverseCookiePath /${F}/ /${B}/ interpolate\n"
                            "ProxyPassReverseCookieDomain ${B} pub.example interpolate\n");
  const auto env = test::env_of({{"F", "front"}, {"B", "127.0.0.1:18741"}});
  const SelfUrl self{"http", "front.example", 80};
  const auto& s = c.config->main.proxy;
  const auto& d = *c.config->main.dir.proxy;
  EXPECT_EQ(reverse_url(s, d, "http://127.0.0.1:18741/x", self, env), "http://front.example/front/x");
  EXPECT_EQ(reverse_url(s, d, "http://${B}/x", self, env), "http://front.example/plain/x");
  EXPECT_EQ(reverse_cookie(d, "a=1; path=/front/z; domain=127.0.0.1:18741", env),
            "a=1; path=/127.0.0.1:18741/; domain=pub.example");
  const auto r = test::make_request("/front/x");
  const auto m = match_proxy_pass(s, &d, r.view(), env);
  EXPECT_EQ(m.target.url, "http://127.0.0.1:18741/app/x");
  // Without ProxyPassInterpolateEnv the text is compared as written.
  auto off = d;
  off.interpolate_env = false;
  EXPECT_EQ(reverse_url(s, off, "http://127.0.0.1:18741/x", self, env), "http://127.0.0.1:18741/x");
  EXPECT_EQ(reverse_url(s, off, "http://${B}/x", self, env), "http://front.example/${F}/x");
}

TEST(ReverseMap, LocationRuleUsesSectionPath) {
  const auto c = compile_ok("<Location /loc/>\nProxyPassReverse http://b/\n</Location>\n");
  const auto d = test::location_dir(c, "/loc/");
  EXPECT_EQ(reverse_url(c.config->main.proxy, d, "http://b/x", {"http", "h", 80}), "http://h/loc/x");
}

TEST(Interpolate, Substitution) {
  const auto env = test::env_of({{"A", "1"}, {"B", "${A}"}});
  EXPECT_EQ(interpolate("x${A}y${B}z", env), "x1y${A}z");
  EXPECT_EQ(interpolate("${NONE}/", env), "/");
  EXPECT_EQ(interpolate("${A", env), "${A");
  EXPECT_EQ(interpolate("$A}", env), "$A}");
  EXPECT_EQ(interpolate("${a}", env), "1");
  EXPECT_EQ(interpolate("${A}", {}), "${A}");
}

} // namespace
} // namespace balancerd::proxypass
