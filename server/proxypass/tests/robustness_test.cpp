// Random inputs (fixed seed, bounded) through every string function of the library: no crash or
// out-of-bounds read (the sanitizer tree runs this too), and the invariants callers rely on.
#include "server/proxypass/alias_match.hpp"
#include "server/proxypass/backend_url.hpp"
#include "server/proxypass/canon.hpp"
#include "server/proxypass/env_lookup.hpp"
#include "server/proxypass/pass_match.hpp"
#include "server/proxypass/reverse_map.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

#include <random>

namespace balancerd::proxypass {
namespace {

std::string random_text(std::mt19937& rng) {
  static const std::string pieces[] = {
      "/",        "//",  ".", "..", ";",     "a",       "b",     "%",  "%2",          "%2f",
      "%2e",      "%zz", "?", "=",  "path=", "domain=", " ",     "${", "}",           "x",
      "\xC3\xA9", ":",   "@", "[",  "]",     "http://", "unix:", "|",  "balancer://", "~"};
  std::string out;
  const int n = static_cast<int>(rng() % 8);
  for (int i = 0; i < n; ++i) out += pieces[rng() % std::size(pieces)];
  return out;
}

bool canonical_path_char(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("/~$-_.+!*'(),;:@&=%").find(static_cast<char>(c)) != std::string_view::npos;
}

TEST(Robustness, RandomInputs) {
  std::mt19937 rng(20261124);
  directives::ProxyDirConf dir;
  dir.cookie_paths.push_back({"/a", "/b", false});
  dir.cookie_domains.push_back({"x", "y", false});
  dir.reverse.push_back({"/f/", "http://a/", false});
  const directives::ProxyServerConf server;
  const EnvLookup env = [](std::string_view n) -> std::optional<std::string> {
    if (n == "x") return std::string("${x}");
    return std::nullopt;
  };
  for (int i = 0; i < 20000; ++i) {
    const std::string a = random_text(rng), b = random_text(rng);
    EXPECT_LE(alias_match(a, b), a.size());
    std::string norm;
    EXPECT_LE(alias_match_servlet(a, b, norm), a.size());
    if (auto enc = canon_encode_path(a, (i & 1) != 0)) {
      for (unsigned char c : *enc) EXPECT_TRUE(canonical_path_char(c)) << a;
    }
    (void)canonicalise(a, static_cast<PathMode>(i % 4), b);
    if (auto p = pre_translate_path("/" + a)) {
      EXPECT_EQ((*p)[0], '/');
    }
    (void)remove_dot_segments(a);
    (void)reverse_cookie(dir, a);
    (void)reverse_url(server, dir, a, {"http", "h", 80});
    (void)interpolate(a, env);
    (void)parse_backend_url(a);
    (void)backend_request_uri(a);
    (void)balancer_member_url(a, b);
  }
}

// Every rule kind against unrelated raw and decoded paths (a caller's inputs need not agree).
TEST(Robustness, RandomRequests) {
  const auto c = test::compile_ok("ProxyPass /a/ http://h/a/ nocanon\n"
                                  "ProxyPass /s/ http://h/s/ mapping=servlet nocanon\n"
                                  "ProxyPass /e/ http://h/e/ mapping=encoded\n"
                                  "ProxyPassMatch ^/r(.*)$ http://h/r$1 nocanon\n"
                                  "ProxyPass / balancer://b/\n"
                                  "<Proxy balancer://b>\nBalancerMember http://h\n</Proxy>\n");
  const auto& server = c.config->main.proxy;
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    const std::string raw = "/" + random_text(rng), uri = "/" + random_text(rng), q = random_text(rng);
    RequestUri r;
    r.raw_target = raw;
    r.uri = uri;
    if (i & 1) r.query = q;
    r.keep_encoded_slashes = (i & 2) != 0;
    for (bool pre : {true, false}) {
      const auto m = match_proxy_pass(server, nullptr, r, {}, pre);
      if (m.result == PassResult::Proxy) {
        EXPECT_EQ(m.filename, "proxy:" + m.target.url);
      }
    }
  }
}

} // namespace
} // namespace balancerd::proxypass
