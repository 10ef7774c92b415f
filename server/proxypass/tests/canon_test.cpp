// Canonicalisation of mapped URLs and backend URL parsing.
#include "server/proxypass/backend_url.hpp"
#include "server/proxypass/canon.hpp"
#include "server/proxypass/pass_match.hpp"
#include "server/proxypass/worker_lookup.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

namespace balancerd::proxypass {
namespace {

// The decoded path (r->uri) and what apache2 2.4.71 sent for it (recorded live; AllowEncodedSlashes
// Off, then NoDecode for the keep_encoded_slashes rows).
TEST(Canon, EncodePath) {
  struct Row {
    const char* decoded;
    bool keep_slashes;
    const char* sent; // nullptr: 400
  } rows[] = {
      {"s/a b", false, "s/a%20b"},
      {"s/a%b", false, "s/a%25b"},
      {"s/a?b", false, "s/a%3Fb"},
      {"s/~user/~x", false, "s/~user/~x"},
      {"s/a;b=c/d!$&'()*+,:@=", false, "s/a;b=c/d!$&'()*+,:@="},
      {"s/\xC3\xA9t\xC3\xA9", false, "s/%C3%A9t%C3%A9"},
      {"s/a\"b", false, "s/a%22b"},
      {"s/[]{}|\\^`", false, "s/%5B%5D%7B%7D%7C%5C%5E%60"},
      {"s/a+b", false, "s/a+b"},
      {"s/a#b<>", false, "s/a%23b%3C%3E"},
      {"s/a%2fb%2Fc d%e", true, nullptr}, // client sent /s/a%2fb%2Fc%20d%25e: 400
      {"s/a%2fb", true, "s/a%2fb"},       // client sent /s/a%252fb
      {"s/a%41", true, "s/a%2541"},
      {"s/a%", true, nullptr},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.decoded);
    const auto out = canon_encode_path(r.decoded, r.keep_slashes);
    if (!r.sent)
      EXPECT_EQ(out, std::nullopt);
    else
      EXPECT_EQ(out.value_or("<400>"), r.sent);
  }
}

// Recorded live: the URL apache2 logged in AH00944 ("connecting URL to host") for
// "ProxyPass /x/ SCHEME://127.0.0.1:18741/x/" and GET /x/a%20b?q=1 (proxy_fcgi, proxy_ajp,
// proxy_scgi and proxy_http loaded; ws:// served by proxy_http, seen at the backend).
TEST(Canon, PerScheme) {
  const std::optional<std::string_view> q("q=1");
  EXPECT_EQ(canonicalise("fcgi://127.0.0.1:18741/f/a b", PathMode::Encode, q).url,
            "fcgi://127.0.0.1:18741/f/a%20b");
  EXPECT_EQ(canonicalise("scgi://127.0.0.1:18741/s/a b", PathMode::Encode, q).url,
            "scgi://127.0.0.1:18741/s/a%20b");
  EXPECT_EQ(canonicalise("ajp://127.0.0.1:18741/j/a b", PathMode::Encode, q).url,
            "ajp://127.0.0.1:18741/j/a%20b?q=1");
  EXPECT_EQ(canonicalise("http://127.0.0.1:18741/h/a b", PathMode::Encode, q).url,
            "http://127.0.0.1:18741/h/a%20b?q=1");
  EXPECT_EQ(
      canonicalise("ws://127.0.0.1:18741/ws/a b", PathMode::Encode, std::optional<std::string_view>("q")).url,
      "ws://127.0.0.1:18741/ws/a%20b?q");
}

TEST(Canon, WholeUrl) {
  using Q = std::optional<std::string_view>;
  EXPECT_EQ(canonicalise("http://H.Example:80/a b", PathMode::Encode, Q("x=1")).url,
            "http://h.example/a%20b?x=1");
  EXPECT_EQ(canonicalise("https://h:443/", PathMode::Encode, std::nullopt).url, "https://h/");
  EXPECT_EQ(canonicalise("https://h:80/", PathMode::Encode, std::nullopt).url, "https://h:80/");
  EXPECT_EQ(canonicalise("http://h", PathMode::Encode, Q("")).url, "http://h/?");
  EXPECT_EQ(canonicalise("http://[::1]:8080/x", PathMode::Encode, std::nullopt).url, "http://[::1]:8080/x");
  EXPECT_EQ(canonicalise("http://user:pw@h/x", PathMode::Encode, std::nullopt).url, "http://h/x");
  EXPECT_EQ(canonicalise("http://h/a%20b?q", PathMode::NoCanon, Q("q")).url, "http://h/a%20b?q");
  EXPECT_EQ(canonicalise("http://h/a%2fb", PathMode::NoEncode, Q("q")).url, "http://h/a%2fb?q");
  EXPECT_EQ(canonicalise("http://h/a b", PathMode::NoCanon, std::nullopt).status, 400);
  EXPECT_EQ(canonicalise("http:/h/x", PathMode::Encode, std::nullopt).status, 400);
  EXPECT_EQ(canonicalise("http:///x", PathMode::Encode, std::nullopt).status, 400);
  EXPECT_EQ(canonicalise("balancer://App:80/x y", PathMode::Encode, Q("a")).url, "balancer://app/x%20y?a");
  EXPECT_EQ(canonicalise("ajp://h:8009/x", PathMode::Encode, std::nullopt).url, "ajp://h/x");
  EXPECT_EQ(canonicalise("fcgi://h:9000/x y", PathMode::Encode, Q("a")).url, "fcgi://h:9000/x%20y");
  EXPECT_EQ(canonicalise("foo://h/x y", PathMode::Encode, Q("a")).url, "foo://h/x y?a");
}

// Recorded live: the request-URI each balancer member received (one member per balancer, so the
// choice is fixed), through the whole chain: ProxyPass mapping, then the member's URL.
TEST(BackendUrl, BalancerMemberUrl) {
  const auto c =
      test::compile_ok("<Proxy balancer://one>\nBalancerMember http://127.0.0.1:18741/m1/\n</Proxy>\n"
                       "<Proxy balancer://two>\nBalancerMember http://127.0.0.1:18741\n</Proxy>\n"
                       "ProxyPass /b/ balancer://one/\n"
                       "ProxyPass /c balancer://one\n"
                       "ProxyPass /d/ balancer://two/\n"
                       "ProxyPass /e balancer://two\n"
                       "ProxyPass /f/ balancer://one/sub/ nocanon\n");
  const auto& server = c.config->main.proxy;
  struct Row {
    const char* target;
    const char* sent;
  } rows[] = {
      {"/b/x?q", "/m1//x?q"},
      {"/c/x", "/m1//x"},
      {"/c", "/m1//"},
      {"/d/x", "/x"},
      {"/e/x", "/x"},
      {"/e", "/"},
      {"/f/a%20b?z", "/m1//sub/a%20b?z"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.target);
    const auto req = test::make_request(r.target);
    const auto m = match_proxy_pass(server, nullptr, req.view());
    ASSERT_EQ(m.result, PassResult::Proxy);
    const auto* balancer = find_balancer(server, m.target.balancer);
    ASSERT_NE(balancer, nullptr);
    ASSERT_EQ(balancer->members.size(), 1u);
    EXPECT_EQ(backend_request_uri(balancer_member_url(balancer->members[0].name, m.target.url)), r.sent);
  }
  EXPECT_EQ(balancer_member_url("http://h", "balancer://app"), "http://h");
}

TEST(BackendUrl, Parse) {
  const auto a = parse_backend_url("http://Host.Example:8080/p/q?x=1#frag");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->scheme, "http");
  EXPECT_EQ(a->host, "Host.Example");
  EXPECT_EQ(a->port, 8080);
  EXPECT_TRUE(a->port_given);
  EXPECT_EQ(a->request_uri, "/p/q?x=1");
  EXPECT_EQ(a->host_header(), "Host.Example:8080");

  const auto b = parse_backend_url("HTTPS://h");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->scheme, "https");
  EXPECT_EQ(b->port, 443);
  EXPECT_FALSE(b->port_given);
  EXPECT_EQ(b->request_uri, "/");
  EXPECT_EQ(b->host_header(), "h");

  const auto c = parse_backend_url("http://[::1]:80/x");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->host_header(), "[::1]");
  EXPECT_EQ(parse_backend_url("https://h:8443/")->host_header(), "h:8443");
  EXPECT_EQ(parse_backend_url("https://h:80/")->host_header(), "h");
  EXPECT_EQ(parse_backend_url("http://[::1]:8080/")->host_header(), "[::1]:8080");

  const auto d = parse_backend_url("unix:/run/app.sock|http://localhost/api?x");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->uds_path, "/run/app.sock");
  EXPECT_EQ(d->host, "localhost");
  EXPECT_EQ(d->request_uri, "/api?x");

  const auto e = parse_backend_url("ajp://h/");
  EXPECT_EQ(e->port, 8009);
  EXPECT_EQ(parse_backend_url("h:80/x"), std::nullopt);
  EXPECT_EQ(parse_backend_url("http://h:99999/"), std::nullopt);
  EXPECT_EQ(parse_backend_url("http://h:8a/"), std::nullopt);
  EXPECT_EQ(parse_backend_url("unix:/s.sock"), std::nullopt);

  EXPECT_EQ(backend_request_uri("http://h?x"), "/?x");
  EXPECT_EQ(backend_request_uri("http://h/a?b"), "/a?b");
  EXPECT_EQ(default_port("wss"), 443);
  EXPECT_EQ(default_port("fcgi"), 8000);
}

// The URL is written in one pass from views of the input: the edges of that pass (case of the
// scheme and of an IPv6 host, a zero or out-of-range port, a scheme too long to be known, a
// failure after part of the URL was written).
TEST(Canon, WrittenInOnePass) {
  using Q = std::optional<std::string_view>;
  EXPECT_EQ(canonicalise("HTTP://H:0/x", PathMode::Encode, std::nullopt).url, "http://h/x");
  EXPECT_EQ(canonicalise("http://h:08080/x", PathMode::Encode, std::nullopt).url, "http://h:8080/x");
  EXPECT_EQ(canonicalise("http://h:65536/x", PathMode::Encode, std::nullopt).status, 400);
  EXPECT_EQ(canonicalise("Http://[FE80::1]:80/A", PathMode::Encode, Q("B")).url, "http://[fe80::1]/A?B");
  EXPECT_EQ(canonicalise("http://[::1]:123456/x", PathMode::Encode, std::nullopt).status, 400);
  EXPECT_EQ(canonicalise("http://h:port/x", PathMode::Encode, std::nullopt).url, "http://[h:port]/x");
  EXPECT_EQ(canonicalise("BALANCER://App:8080/x", PathMode::Encode, std::nullopt).url, "balancer://app/x");
  EXPECT_EQ(canonicalise("verylongscheme://H/x y", PathMode::Encode, Q("q")).url, "verylongscheme://H/x y?q");
  EXPECT_EQ(canonicalise("http://h/a b c d e f g h i j k l m n o p", PathMode::Encode, std::nullopt).url,
            "http://h/a%20b%20c%20d%20e%20f%20g%20h%20i%20j%20k%20l%20m%20n%20o%20p");
  const auto bad = canonicalise("http://h/a%zz", PathMode::Encode, std::nullopt, true);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.url, "");
  EXPECT_EQ(canonicalise("http://h/x", PathMode::Encode, Q("a b")).status, 400);
  EXPECT_EQ(canonicalise("http://h/x", PathMode::Forward, Q("a b")).url, "http://h/x");
  EXPECT_EQ(canonicalise("http://h/a b", PathMode::Forward, std::nullopt).url, "http://h/a b");
}

// The balancer's name is taken from the canonical URL, which is lower-case up to the path.
TEST(Canon, BalancerNameIsLowerCase) {
  const auto c = test::compile_ok("<Proxy balancer://app>\nBalancerMember http://127.0.0.1:18741\n</Proxy>\n"
                                  "ProxyPass /b/ BALANCER://App/Sub/\n");
  const auto req = test::make_request("/b/X");
  const auto m = match_proxy_pass(c.config->main.proxy, nullptr, req.view());
  ASSERT_EQ(m.result, PassResult::Proxy);
  EXPECT_EQ(m.target.url, "balancer://app/Sub/X");
  EXPECT_EQ(m.target.balancer, "balancer://app");
  EXPECT_EQ(m.filename, "proxy:balancer://app/Sub/X");
}

// Parsing into an existing BackendUrl leaves nothing of the previous URL behind.
TEST(BackendUrl, ParsedInPlace) {
  BackendUrl u;
  ASSERT_TRUE(parse_backend_url("unix:/run/app.sock|http://localhost/a?b", u));
  EXPECT_EQ(u.uds_path, "/run/app.sock");
  ASSERT_TRUE(parse_backend_url("HTTP://Host:8080", u));
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "Host");
  EXPECT_EQ(u.port, 8080);
  EXPECT_TRUE(u.port_given);
  EXPECT_EQ(u.request_uri, "/");
  EXPECT_EQ(u.uds_path, "");
  ASSERT_TRUE(parse_backend_url("https://h?q", u));
  EXPECT_EQ(u.port, 443);
  EXPECT_FALSE(u.port_given);
  EXPECT_EQ(u.request_uri, "/?q");
  EXPECT_FALSE(parse_backend_url("nohost", u));
  EXPECT_EQ(parse_backend_url("http://h:99999/"), std::nullopt);
}

} // namespace
} // namespace balancerd::proxypass
