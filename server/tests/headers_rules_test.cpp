// mod_headers, mod_setenvif, mod_env and mod_remoteip at run time, checked against apache2 2.4.71
// (/tmp/access2/x.conf during development: one <Location> per case serving a static file,
// `curl -s -D - -o /dev/null http://127.0.0.1:28581/X/f`; remoteip answers read from
// LogFormat "%a %{c}a %{X-Forwarded-For}i" with `curl -H 'X-Forwarded-For: ...'`).
#include "directives/modules/http_headers.hpp"
#include "server/headers/header_rules.hpp"
#include "server/headers/request_env.hpp"

#include <gtest/gtest.h>

namespace balancerd::headers {
namespace {

namespace d = directives;

d::HeadersDirConf rules(std::initializer_list<std::string_view> lines, bool request = false) {
  d::HeadersDirConf c;
  for (std::string_view l : lines) {
    d::HeaderRule r;
    auto err = d::http::parse_header_directive(l, request, r);
    EXPECT_FALSE(err) << l << ": " << *err;
    c.rules.push_back(std::move(r));
  }
  return c;
}

struct Resp {
  VarTable in, out, err, env, notes;
  expr::RequestContext ctx;
  Resp() {
    ctx.info.method = "GET";
    ctx.info.uri = "/e/f";
    ctx.info.useragent_ip = "127.0.0.1";
    ctx.info.local_ip = "127.0.0.1";
    ctx.info.protocol = "HTTP/1.1";
    ctx.headers_in = &in;
    ctx.headers_out = &out;
    ctx.environment = &env;
    ctx.notes = &notes;
  }
  void respond(const d::HeadersDirConf& c, bool error = false) {
    apply_response_headers(c, out, err, error, HeaderEnv{ctx});
  }
  // As sent: err_headers_out first, then headers_out.
  std::string wire() const {
    std::string s;
    for (const VarTable* t : {&err, &out})
      for (const auto& e : *t) s += e.name + ": " + e.value + "\n";
    return s;
  }
};

// Header add X-M "a, b"; merge b; merge "c"; merge A; append d; add e; append f; merge e
// -> "X-M: a, b, c, A, d, f, e" and "X-M: e".
TEST(HeadersRules, MergeAppendAddMatrix) {
  Resp r;
  r.respond(rules({"add X-M \"a, b\"", "merge X-M b", "merge X-M \"c\"", "merge X-M A", "append X-M d",
                   "add X-M e", "append X-M f", "merge X-M e"}));
  EXPECT_EQ(r.wire(), "X-M: a, b, c, A, d, f, e\nX-M: e\n");
}

TEST(HeadersRules, MergeTokenTest) {
  EXPECT_TRUE(header_has_token("a, b,c", "c"));
  EXPECT_FALSE(header_has_token("abc, d", "b"));
  EXPECT_FALSE(header_has_token("\"x, y\"", "y"));
  EXPECT_TRUE(header_has_token("\"x, y\", z", "z"));
}

// Header set X-Ed "aaa-bbb-aaa"; edit X-Ed a z -> "zaa-bbb-aaa";
// edit* X-Ed2 a(a?) "[$1&]" -> "[a&][&]-bbb-[a&][&]" ('&' literal).
TEST(HeadersRules, EditVersusEditAll) {
  Resp r;
  r.respond(
      rules({"set X-Ed aaa-bbb-aaa", "edit X-Ed a z", "set X-Ed2 aaa-bbb-aaa", "edit* X-Ed2 a(a?) [$1&]"}));
  EXPECT_EQ(r.out.get("X-Ed"), "zaa-bbb-aaa");
  EXPECT_EQ(r.out.get("X-Ed2"), "[a&][&]-bbb-[a&][&]");
}

TEST(HeadersRules, EditAllEmptyMatchTerminates) {
  Resp r; // apache2 crashes on this one; we advance past empty matches
  r.respond(rules({"set X-E3 abc", "edit* X-E3 x* -"}));
  EXPECT_EQ(r.out.get("X-E3"), "-a-b-c-");
}

// Header always set X-Both always; Header set X-Both onsuccess; always set X-Al 1; set X-On 1:
// 200 -> X-Both: always, X-Al: 1, X-Both: onsuccess, X-On: 1; 404 -> only the always ones.
TEST(HeadersRules, AlwaysAndOnsuccessTables) {
  auto c = rules({"always set X-Both always", "set X-Both onsuccess", "always set X-Al 1", "set X-On 1"});
  Resp ok;
  ok.respond(c);
  EXPECT_EQ(ok.wire(), "X-Both: always\nX-Al: 1\nX-Both: onsuccess\nX-On: 1\n");
  Resp err;
  err.respond(c, true);
  EXPECT_EQ(err.wire(), "X-Both: always\nX-Al: 1\n");
}

// setifempty X-S new -> new; set X-T old; setifempty X-T new -> old.
TEST(HeadersRules, SetIfEmpty) {
  Resp r;
  r.respond(rules({"setifempty X-S new", "set X-T old", "setifempty X-T new"}));
  EXPECT_EQ(r.wire(), "X-S: new\nX-T: old\n");
}

// Header echo ^X-Ec with X-Ec1: v1, X-Ecq: v2 -> both echoed in request order.
TEST(HeadersRules, Echo) {
  Resp r;
  r.in.add("X-Ec1", "v1");
  r.in.add("Other", "o");
  r.in.add("X-Ecq", "v2");
  r.respond(rules({"echo ^X-Ec"}));
  EXPECT_EQ(r.wire(), "X-Ec1: v1\nX-Ecq: v2\n");
}

// set X-Cond yes env=FLAG; set X-NotCond yes env=!FLAG; set X-Expr yes "expr=%{REQUEST_METHOD} == 'GET'"
TEST(HeadersRules, Conditions) {
  auto c = rules({"set X-Cond yes env=FLAG", "set X-NotCond yes env=!FLAG",
                  "set X-Expr yes \"expr=%{REQUEST_METHOD} == 'GET'\""});
  Resp with;
  with.env.set("FLAG", "1");
  with.respond(c);
  EXPECT_EQ(with.wire(), "X-Cond: yes\nX-Expr: yes\n");
  Resp post;
  post.ctx.info.method = "POST";
  post.respond(c);
  EXPECT_EQ(post.wire(), "X-NotCond: yes\n");
}

// Header set X-Val "expr=%{toupper:%{HTTP:X-In}}-%{REQUEST_URI}" with X-In: hi -> "HI-/e/f".
TEST(HeadersRules, ExprValue) {
  Resp r;
  r.in.add("X-In", "hi");
  r.respond(rules({"set X-Val \"expr=%{toupper:%{HTTP:X-In}}-%{REQUEST_URI}\""}));
  EXPECT_EQ(r.out.get("X-Val"), "HI-/e/f");
}

// Header set X-E "%{NOPE}e|%{HOME}e|%%|%{SSL_PROTOCOL}s" -> "(null)|(null)|%|(null)".
TEST(HeadersRules, FormatSpecifiers) {
  Resp r;
  r.ctx.info.now_us = 1000000;
  r.ctx.info.request_time_us = 400000;
  r.env.set("SET", "v");
  r.respond(rules({"set X-E \"%{NOPE}e|%{SET}e|%%|%{SSL_PROTOCOL}s\"", "set X-T \"%t %D\""}));
  EXPECT_EQ(r.out.get("X-E"), "(null)|v|%|(null)");
  EXPECT_EQ(r.out.get("X-T"), "t=1000000 D=600000");
}

TEST(HeadersRules, UnsetAndNote) {
  Resp r;
  r.out.add("X-Gone", "1");
  r.out.add("x-gone", "2");
  r.respond(rules({"unset X-Gone", "set X-N val", "note X-N mynote"}));
  EXPECT_FALSE(r.out.get("X-Gone"));
  EXPECT_EQ(r.notes.get("mynote"), "val");
}

// RequestHeader set X-In from-rh; RequestHeader edit X-In2 a b (X-In2: aaa -> baa, moved last);
// RequestHeader merge X-In3 x (X-In3: "x, y" unchanged). Echo showed X-In3, X-In, X-In2.
TEST(HeadersRules, RequestHeaderOrderAfterEdit) {
  Resp r;
  r.in.add("X-In2", "aaa");
  r.in.add("X-In3", "x, y");
  apply_request_headers(rules({"set X-In from-rh", "edit X-In2 a b", "merge X-In3 x"}, true),
                        RequestPhase::Fixup, r.in, HeaderEnv{r.ctx});
  ASSERT_EQ(r.in.size(), 3u);
  EXPECT_EQ(r.in[0].name + r.in[1].name + r.in[2].name, "X-In3X-InX-In2");
  EXPECT_EQ(r.in.get("X-In2"), "baa");
  EXPECT_EQ(r.in.get("X-In3"), "x, y");
}

TEST(HeadersRules, EarlyRequestHeadersRunInTheirPhase) {
  Resp r;
  auto c = rules({"set X-Early 1 early", "set X-Late 1"}, true);
  apply_request_headers(c, RequestPhase::Early, r.in, HeaderEnv{r.ctx});
  EXPECT_TRUE(r.in.get("X-Early"));
  EXPECT_FALSE(r.in.get("X-Late"));
  apply_request_headers(c, RequestPhase::Fixup, r.in, HeaderEnv{r.ctx});
  EXPECT_TRUE(r.in.get("X-Late"));
}

// ---- SetEnvIf / SetEnv ----

d::SetEnvIfRule setenvif(d::SetEnvIfRule::Subject s, std::string name, std::string re,
                         std::vector<d::EnvAssignment> as, bool nocase = false) {
  d::SetEnvIfRule r;
  r.subject = s;
  r.name = std::move(name);
  if (s == d::SetEnvIfRule::Subject::HeaderRegex)
    r.name_regex = d::Regex::compile(r.name, d::Regex::Caseless);
  r.regex = d::Regex::compile(re, nocase ? d::Regex::Caseless : d::Regex::None);
  r.assignments = std::move(as);
  return r;
}

using S = d::SetEnvIfRule::Subject;

// SetEnvIf X-Missing ^$ MISSING=yes -> yes; SetEnvIf Request_URI "^/a/(.*)" CAP=got-$1 -> got-f.
TEST(HeadersSetEnvIf, MissingHeaderMatchesEmptyAndBackrefs) {
  Resp r;
  r.ctx.info.uri = "/a/f";
  d::EnvDirConf c;
  c.setenvif.push_back(setenvif(S::Header, "X-Missing", "^$", {{"MISSING", "yes"}}));
  c.setenvif.push_back(setenvif(S::RequestUri, "Request_URI", "^/a/(.*)", {{"CAP", "got-$1"}}));
  apply_setenvif(c, r.ctx);
  EXPECT_EQ(r.env.get("MISSING"), "yes");
  EXPECT_EQ(r.env.get("CAP"), "got-f");
}

// SetEnvIf ^X-Re "^v(.)" REV=$1 (X-Rex: vQ) -> Q; SetEnvIf Remote_Addr ^127 LOCAL;
// SetEnvIf LOCAL 1 CHAIN=yes -> yes (earlier variable); SetEnvIf Request_Method GET !LOCAL -> unset.
TEST(HeadersSetEnvIf, AttributesRegexNamesEnvChainAndUnset) {
  Resp r;
  r.in.add("X-Rex", "vQ");
  d::EnvDirConf c;
  c.setenvif.push_back(setenvif(S::HeaderRegex, "^X-Re", "^v(.)", {{"REV", "$1"}}));
  c.setenvif.push_back(setenvif(S::RemoteAddr, "Remote_Addr", "^127", {{"LOCAL", "1"}}));
  c.setenvif.push_back(setenvif(S::Header, "LOCAL", "1", {{"CHAIN", "yes"}}));
  c.setenvif.push_back(setenvif(S::RequestMethod, "Request_Method", "GET", {{"LOCAL", "1", true}}));
  apply_setenvif(c, r.ctx);
  EXPECT_EQ(r.env.get("REV"), "Q");
  EXPECT_EQ(r.env.get("CHAIN"), "yes");
  EXPECT_FALSE(r.env.get("LOCAL"));
}

// SetEnvIfNoCase X-Flag ^ON FLAG with X-Flag: on -> FLAG=1.
TEST(HeadersSetEnvIf, NoCaseAndOtherAttributes) {
  Resp r;
  r.in.add("X-Flag", "on");
  r.in.add("User-Agent", "Mozilla/5.0");
  d::EnvDirConf c;
  c.setenvif.push_back(setenvif(S::Header, "X-Flag", "^ON", {{"FLAG", "1"}}, true));
  c.setenvif.push_back(setenvif(S::Header, "X-Flag", "^ON", {{"CASED", "1"}}));
  c.setenvif.push_back(setenvif(S::Header, "User-Agent", "^Mozilla", {{"BROWSER", "moz"}})); // BrowserMatch
  c.setenvif.push_back(setenvif(S::RequestProtocol, "Request_Protocol", "^HTTP/1\\.1$", {{"H11", "1"}}));
  c.setenvif.push_back(setenvif(S::ServerAddr, "Server_Addr", "^127\\.", {{"SA", "1"}}));
  apply_setenvif(c, r.ctx);
  EXPECT_EQ(r.env.get("FLAG"), "1");
  EXPECT_FALSE(r.env.get("CASED"));
  EXPECT_EQ(r.env.get("BROWSER"), "moz");
  EXPECT_EQ(r.env.get("H11"), "1");
  EXPECT_EQ(r.env.get("SA"), "1");
}

TEST(HeadersSetEnvIf, Expr) {
  Resp r;
  d::EnvDirConf c;
  d::SetEnvIfRule rule;
  rule.subject = S::Expr;
  rule.expr = directives::expr::parse("%{REQUEST_URI} =~ m#^/(e)/#").expr;
  rule.assignments = {{"EX", "got-$1"}};
  c.setenvif.push_back(rule);
  apply_setenvif(c, r.ctx);
  EXPECT_EQ(r.env.get("EX"), "got-e");
}

// SetEnv SE one; UnsetEnv SE; SetEnv SE2 two -> "%{SE}e %{SE2}e" = "(null) two".
TEST(HeadersSetEnv, SetUnsetPass) {
  Resp r;
  VarTable os;
  os.set("PASSED", "p");
  r.ctx.os_environment = &os;
  d::EnvDirConf c;
  c.setenv = {{"SE", "one"}, {"SE", "", true}, {"SE2", "two"}};
  c.passenv = {"PASSED", "ABSENT"};
  apply_setenv(c, r.ctx);
  EXPECT_FALSE(r.env.get("SE"));
  EXPECT_EQ(r.env.get("SE2"), "two");
  EXPECT_EQ(r.env.get("PASSED"), "p");
  EXPECT_FALSE(r.env.get("ABSENT"));
}

// ---- mod_remoteip ----

d::EnvServerConf rip(std::vector<std::string> trusted = {}, std::vector<std::string> internal = {}) {
  d::EnvServerConf c;
  c.remoteip_header = "X-Forwarded-For";
  for (auto& t : trusted) c.trusted_proxies.push_back(*d::parse_ip_subnet(t).subnet);
  for (auto& t : internal) c.internal_proxies.push_back(*d::parse_ip_subnet(t).subnet);
  return c;
}

// RemoteIPHeader X-Forwarded-For, no proxy lists, peer 127.0.0.1:
// "10.1.2.3" -> 10.1.2.3 (header gone); "1.2.3.4, 8.8.8.8" -> 1.2.3.4; "junk, 8.8.4.4" -> 8.8.4.4
// with "junk" left in the header; "2001:db8::1" -> 2001:db8::1.
TEST(HeadersRemoteIp, NoProxyListsTrustsEveryPeer) {
  auto c = rip();
  auto a = apply_remoteip(c, "127.0.0.1", "10.1.2.3");
  EXPECT_EQ(a.useragent_ip, "10.1.2.3");
  EXPECT_TRUE(a.header_consumed);
  EXPECT_EQ(apply_remoteip(c, "127.0.0.1", "1.2.3.4, 8.8.8.8").useragent_ip, "1.2.3.4");
  auto j = apply_remoteip(c, "127.0.0.1", "junk, 8.8.4.4");
  EXPECT_EQ(j.useragent_ip, "8.8.4.4");
  EXPECT_FALSE(j.header_consumed);
  EXPECT_EQ(j.header_rest, "junk");
  EXPECT_EQ(apply_remoteip(c, "127.0.0.1", "2001:db8::1").useragent_ip, "2001:db8::1");
}

TEST(HeadersRemoteIp, UntrustedPeerChangesNothing) {
  auto c = rip({"192.0.2.1"});
  auto r = apply_remoteip(c, "198.51.100.7", "8.8.8.8");
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.useragent_ip, "198.51.100.7");
}

TEST(HeadersRemoteIp, TrustedProxyWalkStopsAtUntrustedHop) {
  auto c = rip({"192.0.2.0/24"});
  // 8.8.8.8 is not a trusted proxy, so 1.1.1.1 to its left is not believed.
  auto r = apply_remoteip(c, "192.0.2.1", "1.1.1.1, 8.8.8.8");
  EXPECT_EQ(r.useragent_ip, "8.8.8.8");
  EXPECT_EQ(r.header_rest, "1.1.1.1");
  EXPECT_EQ(r.proxies, "192.0.2.1");
  // A trusted (external) proxy may not present a private address.
  auto p = apply_remoteip(c, "192.0.2.1", "10.0.0.5");
  EXPECT_FALSE(p.changed);
  // An internal proxy may.
  auto i = apply_remoteip(rip({}, {"192.0.2.0/24"}), "192.0.2.1", "10.0.0.5");
  EXPECT_EQ(i.useragent_ip, "10.0.0.5");
}

} // namespace
} // namespace balancerd::headers
