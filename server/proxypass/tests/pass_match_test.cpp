// ProxyPass / ProxyPassMatch mapping. Every expected request-URI below is what apache2 2.4.71 sent
// to a python backend on loopback for the same configuration and request (recorded live on
// 2026-11-24 with the configs quoted in each test); "none" rows were served locally by apache2.
#include "server/proxypass/backend_url.hpp"
#include "server/proxypass/pass_match.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

namespace balancerd::proxypass {
namespace {

using test::compile_ok;
using test::make_request;

struct Row {
  const char* target;
  const char* sent; // request-URI the backend received; nullptr: not proxied; "400"/"500": error status
};

void run_rows(const directives::ProxyServerConf& server, const directives::ProxyDirConf* dir, const Row* rows,
              std::size_t n, const EnvLookup& env = {}) {
  for (std::size_t i = 0; i < n; ++i) {
    const auto req = make_request(rows[i].target);
    const PassMatch m = match_proxy_pass(server, dir, req.view(), env);
    SCOPED_TRACE(rows[i].target);
    if (!rows[i].sent) {
      EXPECT_NE(m.result, PassResult::Proxy) << m.target.url;
    } else if (rows[i].sent[0] >= '0' && rows[i].sent[0] <= '9') {
      EXPECT_EQ(m.result, PassResult::Error);
      EXPECT_EQ(std::to_string(m.status), rows[i].sent);
    } else {
      ASSERT_EQ(m.result, PassResult::Proxy);
      EXPECT_EQ(backend_request_uri(m.target.url), rows[i].sent) << m.target.url;
      EXPECT_EQ(m.filename, "proxy:" + m.target.url);
    }
  }
}

// Prefix rules, slash runs, segment boundary, default canonicalisation, noquery, nocanon.
TEST(ProxyPassMatch, PrefixRulesAsApacheSendsThem) {
  const auto c = compile_ok("ProxyPass /app http://127.0.0.1:18741/x\n"
                            "ProxyPass /s/ http://127.0.0.1:18741/s/\n"
                            "ProxyPass /nq/ http://127.0.0.1:18741/nq/ noquery\n"
                            "ProxyPass /nc/ http://127.0.0.1:18741/nc/ nocanon\n");
  const Row rows[] = {
      {"/app", "/x"},
      {"/app/", "/x/"},
      {"/app/y", "/x/y"},
      {"/apple", nullptr},
      {"/app//y", "/x/y"},
      {"//app/y", "/x/y"},
      {"/s", nullptr},
      {"/s/a%20b", "/s/a%20b"},
      {"/s/a%25b", "/s/a%25b"},
      {"/s/a%3Fb?x=%20y", "/s/a%3Fb?x=%20y"},
      {"/s/%7euser/~x", "/s/~user/~x"},
      {"/s/a;b=c/d!$&'()*+,:@=", "/s/a;b=c/d!$&'()*+,:@="},
      {"/s/%C3%A9t%c3%a9", "/s/%C3%A9t%C3%A9"},
      {"/s/a\"b", "/s/a%22b"},
      {"/s/x?", "/s/x?"},
      {"/s/x?a?b", "/s/x?a?b"},
      {"/s/a/./b/../c", "/s/a/c"},
      {"/s/%5B%5D%7B%7D%7C%5C%5E%60", "/s/%5B%5D%7B%7D%7C%5C%5E%60"},
      {"/s/a+b", "/s/a+b"},
      {"/x/a|b", nullptr},
      {"/nq/x?q=1", "/nq/x?q=1"}, // noquery only matters to mod_proxy_fcgi (SCRIPT_FILENAME)
      {"/nc/a/../b", "/nc/a/../b"},
      {"/nc//a", "/nc/a"}, // raw path matched differently: nocanon ignored (AH01136)
  };
  run_rows(c.config->main.proxy, nullptr, rows, std::size(rows));
}

// Recorded live: an absolute-form request-target is r->unparsed_uri, which no rule path matches, so
// nocanon is dropped (AH01136) and the path re-encoded.
TEST(ProxyPassMatch, NocanonWithAbsoluteTarget) {
  const auto c = compile_ok("ProxyPass /nc/ http://127.0.0.1:18741/nc/ nocanon\n"
                            "ProxyPassMatch ^/rn/(.*)$ http://127.0.0.1:18741/rn/$1 nocanon\n");
  struct Case {
    const char* target;
    const char* path;
    const char* sent;
    bool ignored;
  } cases[] = {
      {"http://front.example/nc/a%20b%3f?q", "/nc/a%20b%3f?q", "/nc/a%20b%3F?q", true},
      {"http://front.example/rn/a%20b%3f?q", "/rn/a%20b%3f?q", "/rn/a%20b%3F?q", true},
      {"/nc/a%20b%3f?q", "/nc/a%20b%3f?q", "/nc/a%20b%3f?q", false},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.target);
    const auto origin = make_request(k.path);
    RequestUri r = origin.view();
    r.raw_target = k.target;
    const auto m = match_proxy_pass(c.config->main.proxy, nullptr, r);
    ASSERT_EQ(m.result, PassResult::Proxy);
    EXPECT_EQ(backend_request_uri(m.target.url), k.sent);
    EXPECT_EQ(m.nocanon_ignored, k.ignored);
  }
}

// Recorded live: a query or fragment written in the ProxyPass URL is part of the path to Apache
// (encoded), userinfo is dropped, a zero-padded port still parses.
TEST(ProxyPassMatch, OddTargetUrls) {
  const auto c = compile_ok("ProxyPass /pq/ http://127.0.0.1:18741/x?a=1&b=\n"
                            "ProxyPass /fr/ http://127.0.0.1:18741/y#frag/\n"
                            "ProxyPass /up/ http://u:p@127.0.0.1:18741/up/\n"
                            "ProxyPass /port/ http://127.0.0.1:018741/p/\n");
  const Row rows[] = {
      {"/pq/z?c=2", "/x%3Fa=1&b=z?c=2"},
      {"/fr/z", "/y%23frag/z"},
      {"/up/z", "/up/z"},
      {"/port/z", "/p/z"},
  };
  run_rows(c.config->main.proxy, nullptr, rows, std::size(rows));
}

TEST(ProxyPassMatch, NocanonMismatchIsReported) {
  const auto c = compile_ok("ProxyPass /nc/ http://127.0.0.1:18741/nc/ nocanon\n");
  const auto a = make_request("/nc//a");
  const auto m = match_proxy_pass(c.config->main.proxy, nullptr, a.view());
  EXPECT_TRUE(m.nocanon_ignored);
  const auto b = make_request("/nc/a%20b?q=%41");
  const auto n = match_proxy_pass(c.config->main.proxy, nullptr, b.view());
  EXPECT_FALSE(n.nocanon_ignored);
  EXPECT_EQ(n.target.url, "http://127.0.0.1:18741/nc/a%20b?q=%41");
}

// "ProxyPass /slash/ http://127.0.0.1:18741": the rest is glued to the authority (Apache then
// resolves host "127.0.0.1:18741x" and fails: 500).
TEST(ProxyPassMatch, MissingSlashGluesRestToHost) {
  const auto c = compile_ok("ProxyPass /slash/ http://127.0.0.1:18741\n");
  const auto r = make_request("/slash/x");
  const auto m = match_proxy_pass(c.config->main.proxy, nullptr, r.view());
  ASSERT_EQ(m.result, PassResult::Proxy);
  EXPECT_EQ(m.target.url, "http://[127.0.0.1:18741x]/");
}

TEST(ProxyPassMatch, RegexRulesAndLocations) {
  const auto c = compile_ok("ProxyPassMatch ^/r/(.*)\\.gif$ http://127.0.0.1:18741/img/$1.png\n"
                            "ProxyPassMatch \\.jpg$ http://127.0.0.1:18741\n"
                            "ProxyPassMatch ^/m/(.*)$ http://127.0.0.1:18741/m/$1 nocanon\n"
                            "ProxyPass ~ ^/t(/.*)?$ http://127.0.0.1:18741/tt$1\n"
                            "ProxyPassMatch ^/q/(.*)$ http://127.0.0.1:18741/q?x=$1\n"
                            "ProxyPassMatch ^/e/(.*)$ http://127.0.0.1:18741/e/$1$2\\$1&\n");
  const Row rows[] = {
      {"/r/a%20b.gif?q", "/img/a%20b.png?q"},
      {"/a/b.jpg?z=1", "/a/b.jpg?z=1"},
      {"/m/a%20b/../c?x", "/m/a%20b/../c?x"},
      {"/t", "/tt"},
      {"/tx", nullptr},
      {"/t/y", "/tt/y"},
      {"/q/a%20b?c=d", "/q%3Fx=a%20b?c=d"},
      {"/e/x%3f", "/e/x%3F$1&"},
  };
  run_rows(c.config->main.proxy, nullptr, rows, std::size(rows));
}

TEST(ProxyPassMatch, LocationRuleComesFirst) {
  const auto c =
      compile_ok("<Location /loc>\nProxyPass http://127.0.0.1:18742/L\n</Location>\n"
                 "ProxyPass /loc http://127.0.0.1:18741/S\n"
                 "<LocationMatch ^/lm/(.*)>\nProxyPass http://127.0.0.1:18742/LM/$1\n</LocationMatch>\n"
                 "<Location /w*/x>\nProxyPass http://127.0.0.1:18742/W\n</Location>\n");
  const auto& server = c.config->main.proxy;
  const auto loc = test::location_dir(c, "/loc");
  const Row loc_rows[] = {{"/loc/z", "/L/z"}};
  run_rows(server, &loc, loc_rows, 1);
  const Row server_rows[] = {{"/loc/z", "/S/z"}};
  run_rows(server, nullptr, server_rows, 1);
  const auto lm = test::location_dir(c, "^/lm/(.*)");
  const Row lm_rows[] = {{"/lm/a%20b", "/LM/a%20b"}};
  run_rows(server, &lm, lm_rows, 1);
  // A wildcard <Location> path is used as a regex: "/w*/x" does not find "/wz/x" (apache2: 404).
  const auto w = test::location_dir(c, "/w*/x");
  const Row w_rows[] = {{"/wz/x", nullptr}, {"/wz/x/y", nullptr}};
  run_rows(server, &w, w_rows, 2);
}

// Recorded live: a "ProxyPass !" <Location> inside a server rule, a nocanon <Location>, a
// <LocationMatch> with a named group (still $1).
TEST(ProxyPassMatch, LocationExclusionNocanonNamedGroup) {
  const auto c = compile_ok("ProxyPass /x/ http://127.0.0.1:18741/x/\n"
                            "<Location /x/no>\nProxyPass !\n</Location>\n"
                            "<Location /nc>\nProxyPass http://127.0.0.1:18741/NC nocanon\n</Location>\n"
                            "<LocationMatch ^/rx/(?<name>[a-z]+)>\nProxyPass http://127.0.0.1:18741/RX/$1\n"
                            "</LocationMatch>\n");
  const auto& server = c.config->main.proxy;
  const auto no = test::location_dir(c, "/x/no");
  const auto r = make_request("/x/no/y");
  EXPECT_EQ(match_proxy_pass(server, &no, r.view()).result, PassResult::Excluded);
  const Row server_rows[] = {{"/x/nope", "/x/nope"}, {"/x/y", "/x/y"}};
  run_rows(server, nullptr, server_rows, std::size(server_rows));
  const auto nc = test::location_dir(c, "/nc");
  const Row nc_rows[] = {{"/nc/a%20b/../c?q=%41", "/NC/a%20b/../c?q=%41"}, {"/nc//z", "/NC//z"}};
  run_rows(server, &nc, nc_rows, std::size(nc_rows));
  const auto rx = test::location_dir(c, "^/rx/(?<name>[a-z]+)");
  const Row rx_rows[] = {{"/rx/abc/def?q", "/RX/abc?q"}};
  run_rows(server, &rx, rx_rows, std::size(rx_rows));
}

TEST(ProxyPassMatch, ExclusionsInterpolationBalancers) {
  const auto c = compile_ok("ProxyPassInterpolateEnv On\n"
                            "ProxyPass /i/ http://127.0.0.1:18741/${BK}/${NOPE}x/ interpolate\n"
                            "ProxyPass /ni/ http://127.0.0.1:18741/${BK}/\n"
                            "ProxyPass /ex/sub !\n"
                            "ProxyPass /ex http://127.0.0.1:18741/ex\n"
                            "<Proxy balancer://app>\nBalancerMember http://127.0.0.1:18741/m1\n</Proxy>\n"
                            "ProxyPass /b/ balancer://app/bb/\n"
                            "ProxyPass /b2 balancer://APP\n");
  const auto& server = c.config->main.proxy;
  const auto& dir = *c.config->main.dir.proxy;
  const auto env = test::env_of({{"bk", "abc"}});
  const Row rows[] = {
      {"/i/abc/z", "/abc/x/abc/z"}, {"/ni/abc/z", "/$%7BBK%7D/abc/z"},
      {"/ex/sub/a", nullptr},       {"/ex/subx", "/ex/subx"},
      {"/ex/x", "/ex/x"},
  };
  run_rows(server, &dir, rows, std::size(rows), env);

  const auto ex = make_request("/ex/sub/a");
  EXPECT_EQ(match_proxy_pass(server, &dir, ex.view(), env).result, PassResult::Excluded);

  const auto b = make_request("/b/x%20y?q=1");
  const auto mb = match_proxy_pass(server, &dir, b.view(), env);
  ASSERT_EQ(mb.result, PassResult::Proxy);
  EXPECT_EQ(mb.target.url,
            "balancer://app/bb/x%20y?q=1"); // member http://127.0.0.1:18741/m1 got /m1/bb/x%20y?q=1
  EXPECT_EQ(mb.target.balancer, "balancer://app");
  EXPECT_EQ(mb.target.worker, nullptr);
  const auto b2 = make_request("/b2/k");
  const auto mb2 = match_proxy_pass(server, &dir, b2.view(), env);
  EXPECT_EQ(mb2.target.url, "balancer://app/k"); // apache2 sent /m1/k
  EXPECT_EQ(mb2.target.balancer, "balancer://app");
}

// Recorded live with "SetEnvIf Request_URI . HOSTP=127.0.0.1:18741 P=pre": interpolation in a
// ProxyPassMatch URL (then $n) and in a ProxyPass path.
TEST(ProxyPassMatch, InterpolatedRegexAndPath) {
  const auto c = compile_ok("ProxyPassInterpolateEnv On\n"
                            "ProxyPassMatch ^/ir/(.*)$ http://${HOSTP}/IR/$1 interpolate\n"
                            "ProxyPass /${P}/ http://127.0.0.1:18741/PRE/ interpolate\n");
  const auto env = test::env_of({{"HOSTP", "127.0.0.1:18741"}, {"P", "pre"}});
  const Row rows[] = {{"/ir/a%20b?q", "/IR/a%20b?q"}, {"/pre/x", "/PRE/x"}, {"/${P}/x", nullptr}};
  run_rows(c.config->main.proxy, &*c.config->main.dir.proxy, rows, std::size(rows), env);
  const auto r = make_request("/ir/z");
  EXPECT_EQ(match_proxy_pass(c.config->main.proxy, &*c.config->main.dir.proxy, r.view(), env).target.url,
            "http://127.0.0.1:18741/IR/z");
}

// Without ProxyPassInterpolateEnv On, "interpolate" does nothing.
TEST(ProxyPassMatch, InterpolateNeedsInterpolateEnv) {
  const auto c = compile_ok("ProxyPass /i/ http://127.0.0.1:18741/${BK}/ interpolate\n");
  const auto r = make_request("/i/z");
  const auto m = match_proxy_pass(c.config->main.proxy, &*c.config->main.dir.proxy, r.view(),
                                  test::env_of({{"BK", "abc"}}));
  EXPECT_EQ(m.target.url, "http://127.0.0.1:18741/$%7BBK%7D/z");
}

// mapping=servlet includes mapping=encoded: it matches in the pre-translate pass, on the encoded
// path, and r->uri becomes the servlet-normalised path.
TEST(ProxyPassMatch, ServletMapping) {
  const auto c = compile_ok("ProxyPass /sv/ http://127.0.0.1:18741/sv/ mapping=servlet\n"
                            "ProxyPass /sv2/a http://127.0.0.1:18741/sv2 mapping=servlet\n");
  struct Case {
    const char* target;
    const char* sent;
    const char* servlet_uri;
  } cases[] = {
      {"/sv/a;jsessionid=1/b;x=y/../c;p", "/sv/a;jsessionid=1/c;p", "/sv/a/c"},
      {"/sv/x/./y", "/sv/x/y", "/sv/x/y"},
      {"/sv;k/a%20b?q", "/sv/a%20b?q", "/sv/a%20b"},
      {"/sv2;k/a;l/m", "/sv2;l/m", "/sv2/a/m"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.target);
    const std::string t = k.target;
    const auto q = t.find('?');
    const std::string pre = *pre_translate_path(t.substr(0, q));
    RequestUri r;
    r.raw_target = t;
    r.uri = pre;
    if (q != std::string::npos) r.query = std::string_view(t).substr(q + 1);
    EXPECT_EQ(match_proxy_pass(c.config->main.proxy, nullptr, r).result, PassResult::None);
    const auto m = match_proxy_pass(c.config->main.proxy, nullptr, r, {}, true);
    ASSERT_EQ(m.result, PassResult::Proxy);
    EXPECT_EQ(backend_request_uri(m.target.url), k.sent);
    EXPECT_EQ(m.servlet_uri, k.servlet_uri);
  }
}

// mapping=encoded rules match in the pre-translate pass on the encoded path, and only there.
TEST(ProxyPassMatch, EncodedMappingInPreTranslate) {
  const auto c = compile_ok("ProxyPass /enc/ http://127.0.0.1:18741/enc/ mapping=encoded\n"
                            "ProxyPass /s/ http://127.0.0.1:18741/s/\n");
  const auto& server = c.config->main.proxy;
  struct Case {
    const char* target;
    const char* sent;
  } cases[] = {
      {"/enc/a%20b%2fc%3f%41?q=%20", "/enc/a%20b%2fc%3fA?q=%20"},
      {"/enc/a/%2e%2e/b%7e%7E%2D%41%2f", "/enc/b~~-A%2f"},
      {"/enc/a/./b//c", "/enc/a/b/c"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.target);
    const std::string t = k.target;
    const auto q = t.find('?');
    const std::string pre = *pre_translate_path(t.substr(0, q));
    RequestUri r;
    r.raw_target = t;
    r.uri = pre;
    std::string query;
    if (q != std::string::npos) r.query = std::string_view(t).substr(q + 1);
    const auto m = match_proxy_pass(server, nullptr, r, {}, true);
    ASSERT_EQ(m.result, PassResult::Proxy);
    EXPECT_EQ(backend_request_uri(m.target.url), k.sent);
  }
  // The normal pass skips the encoded rule, the pre-translate pass the plain one.
  const auto e = make_request("/enc/x");
  EXPECT_EQ(match_proxy_pass(server, nullptr, e.view()).result, PassResult::None);
  const auto s = make_request("/s/x");
  EXPECT_EQ(match_proxy_pass(server, nullptr, s.view(), {}, true).result, PassResult::None);
  EXPECT_EQ(match_proxy_pass(server, nullptr, s.view()).result, PassResult::Proxy);
}

// Recorded live: "ProxyPass /e/x ! mapping=encoded" then "ProxyPass /e/ http://127.0.0.1:18741/e/":
// GET /e/x/y reached the backend as /e/x/y.
TEST(ProxyPassMatch, EncodedExclusionLetsNormalPassRun) {
  const auto c = compile_ok("ProxyPass /e/x ! mapping=encoded\nProxyPass /e/ http://127.0.0.1:18741/e/\n");
  const auto& server = c.config->main.proxy;
  const auto r = make_request("/e/x/y");
  EXPECT_EQ(match_proxy_pass(server, nullptr, r.view(), {}, true).result, PassResult::Excluded);
  const auto m = match_proxy_pass(server, nullptr, r.view());
  ASSERT_EQ(m.result, PassResult::Proxy);
  EXPECT_EQ(backend_request_uri(m.target.url), "/e/x/y");
}

TEST(ProxyPassMatch, NeedsPreTranslate) {
  EXPECT_FALSE(needs_pre_translate(compile_ok("ProxyPass /a http://h/\n").config->main.proxy, nullptr));
  EXPECT_TRUE(needs_pre_translate(compile_ok("ProxyPass /a http://h/ mapping=encoded\n").config->main.proxy,
                                  nullptr));
  EXPECT_TRUE(needs_pre_translate(compile_ok("ProxyPass /a http://h/ mapping=servlet\n").config->main.proxy,
                                  nullptr));
  const auto loc = compile_ok("<Location /a>\nProxyPass http://h/ mapping=servlet\n</Location>\n");
  const auto dir = test::location_dir(loc, "/a");
  EXPECT_TRUE(needs_pre_translate(loc.config->main.proxy, &dir));
}

// Recorded live: "ProxyPass /en/ http://127.0.0.1:18741/en/ mapping=encoded nocanon".
TEST(ProxyPassMatch, EncodedWithNocanon) {
  const auto c = compile_ok("ProxyPass /en/ http://127.0.0.1:18741/en/ mapping=encoded nocanon\n");
  struct Case {
    const char* target;
    const char* sent;
    bool ignored;
  } cases[] = {
      {"/en/a%20b/./c?q=%41", "/en/a%20b/./c?q=%41", false},
      {"/en//x?y", "/en/x?y", true},
      {"/en/%7e", "/en/%7e", false},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.target);
    const std::string t = k.target;
    const auto q = t.find('?');
    const std::string pre = *pre_translate_path(t.substr(0, q));
    RequestUri r;
    r.raw_target = t;
    r.uri = pre;
    if (q != std::string::npos) r.query = std::string_view(t).substr(q + 1);
    const auto m = match_proxy_pass(c.config->main.proxy, nullptr, r, {}, true);
    ASSERT_EQ(m.result, PassResult::Proxy);
    EXPECT_EQ(backend_request_uri(m.target.url), k.sent);
    EXPECT_EQ(m.nocanon_ignored, k.ignored);
  }
}

TEST(ProxyPassMatch, PreTranslatePath) {
  EXPECT_EQ(*pre_translate_path("/enc/a/%2e%2e/b%7e%7E%2D%41%2f"), "/enc/b~~-A%2f");
  EXPECT_EQ(*pre_translate_path("/a/./b//c"), "/a/b/c");
  EXPECT_EQ(*pre_translate_path("/a/b/.."), "/a/");
  EXPECT_EQ(*pre_translate_path("/a/b/."), "/a/b/");
  EXPECT_EQ(*pre_translate_path("/"), "/");
  EXPECT_EQ(*pre_translate_path("//a"), "/a");
  EXPECT_EQ(*pre_translate_path("//a", false), "//a");
  EXPECT_EQ(pre_translate_path("/%2e%2e/x"), std::nullopt);
  EXPECT_EQ(pre_translate_path("/.."), std::nullopt);
  EXPECT_EQ(*pre_translate_path("/%2541%20"), "/%2541%20");
}

TEST(ProxyPassMatch, DeclinedRequests) {
  const auto c = compile_ok("ProxyPass / http://127.0.0.1:18741/\n");
  const auto& server = c.config->main.proxy;
  RequestUri star;
  star.raw_target = "*";
  star.uri = "*";
  EXPECT_EQ(match_proxy_pass(server, nullptr, star).result, PassResult::None);
  auto r = make_request("/x");
  auto v = r.view();
  v.no_proxy_env = true;
  EXPECT_EQ(match_proxy_pass(server, nullptr, v).result, PassResult::None);
  v.no_proxy_env = false;
  EXPECT_EQ(match_proxy_pass(server, nullptr, v).result, PassResult::Proxy);
}

TEST(ProxyPassMatch, FirstRuleInConfigOrderWins) {
  const auto c = compile_ok("ProxyPass /a http://127.0.0.1:18741/first\n"
                            "ProxyPass /a/b http://127.0.0.1:18741/second\n");
  const auto r = make_request("/a/b/c");
  const auto m = match_proxy_pass(c.config->main.proxy, nullptr, r.view());
  EXPECT_EQ(m.target.url, "http://127.0.0.1:18741/first/b/c");
  EXPECT_EQ(m.target.rule, &c.config->main.proxy.rules[0]);
}

} // namespace
} // namespace balancerd::proxypass
