// Authorization decisions checked against apache2 2.4.71. The oracle config (/tmp/access/x.conf
// during development) had one <Location /X> per case below, served a static file under a
// <Directory> with "Require all granted", and each answer was taken with
// `curl -s -o /dev/null -w '%{http_code}' -X METHOD http://127.0.0.1:28580/X/f` from 127.0.0.1.
// A 501 for FOO in Apache means "granted, then method not implemented": granted here.
#include "directives/modules/http_authz.hpp"
#include "server/access/authz.hpp"

#include <gtest/gtest.h>

#include <map>

namespace balancerd::access {
namespace {

namespace d = directives;

d::AuthzNode line(std::string_view text, std::vector<std::string> limit = {}, bool except = false) {
  d::AuthzNode n;
  auto err = d::http::parse_require_line(text, true, n.require);
  EXPECT_FALSE(err) << *err;
  n.limit_methods = std::move(limit);
  n.limit_except = except;
  n.line = 1;
  return n;
}

d::AuthzNode section(d::AuthzLogic logic, std::vector<d::AuthzNode> children) {
  d::AuthzNode n;
  n.is_section = true;
  n.logic = logic;
  n.children = std::move(children);
  n.line = 1;
  return n;
}

// The implicit per-dir <RequireAny> (no source line).
d::AuthzDirConf level(std::vector<d::AuthzNode> children) {
  d::AuthzDirConf c;
  d::AuthzNode root;
  root.is_section = true;
  root.logic = d::AuthzLogic::Any;
  root.children = std::move(children);
  c.root = std::move(root);
  return c;
}

d::AccessRule rule(std::string_view where) {
  d::AccessRule r;
  EXPECT_FALSE(d::http::parse_access_rule("from", where, r));
  return r;
}

class FakeResolver : public HostResolver {
public:
  std::map<std::string, std::string> ptr;
  std::map<std::string, std::vector<std::string>> a;
  std::string reverse(std::string_view ip) override {
    auto it = ptr.find(std::string(ip));
    return it == ptr.end() ? std::string() : it->second;
  }
  std::vector<std::string> forward(std::string_view name) override {
    auto it = a.find(std::string(name));
    return it == a.end() ? std::vector<std::string>{} : it->second;
  }
};

struct Req {
  expr::VarTable env;
  expr::RequestContext ctx;
  FakeResolver dns;
  explicit Req(std::string_view method = "GET", std::string_view ip = "127.0.0.1") {
    ctx.info.method = method;
    ctx.info.useragent_ip = ip;
    ctx.info.local_ip = "127.0.0.1";
    ctx.environment = &env;
    dns.ptr["127.0.0.1"] = "localhost";
    dns.a["localhost"] = {"127.0.0.1", "::1"};
  }
  int status(const d::AuthzDirConf& c) { return check_access(c, AccessEnv{ctx, &dns}).status(); }
};

int run(const d::AuthzDirConf& c, std::string_view method, std::string_view ip = "127.0.0.1") {
  Req r(method, ip);
  return r.status(c);
}

// <Location /a> <Limit GET> Require all denied </Limit>: GET/HEAD 403, POST/OPTIONS/FOO granted.
TEST(AccessAuthz, LimitOnlyRestrictsItsMethods) {
  auto c = level({line("all denied", {"GET"})});
  EXPECT_EQ(run(c, "GET"), 403);
  EXPECT_EQ(run(c, "HEAD"), 403);
  EXPECT_EQ(run(c, "POST"), 200);
  EXPECT_EQ(run(c, "OPTIONS"), 200);
  EXPECT_EQ(run(c, "FOO"), 200);
}

// <RequireAll> Require all granted; Require not ip 127.0.0.1: all 403 from 127.0.0.1.
TEST(AccessAuthz, RequireAllWithNegationDenies) {
  auto c = level({section(d::AuthzLogic::All, {line("all granted"), line("not ip 127.0.0.1")})});
  EXPECT_EQ(run(c, "GET"), 403);
  EXPECT_EQ(run(c, "GET", "10.0.0.1"), 200);
}

// <RequireAll> Require not env NOPE; Require all granted: 200 (neutral + granted).
TEST(AccessAuthz, NegatedMissIsNeutral) {
  auto c = level({section(d::AuthzLogic::All, {line("not env NOPE"), line("all granted")})});
  EXPECT_EQ(run(c, "GET"), 200);
  Req r;
  r.env.set("NOPE", "1");
  EXPECT_EQ(r.status(c), 403);
}

// Require ip 10.0.0.0/8 + Require method OPTIONS (implicit RequireAny): GET 403, OPTIONS 200.
TEST(AccessAuthz, SeveralRequireLinesAreAny) {
  auto c = level({line("ip 10.0.0.0/8"), line("method OPTIONS")});
  EXPECT_EQ(run(c, "GET"), 403);
  EXPECT_EQ(run(c, "POST"), 403);
  EXPECT_EQ(run(c, "OPTIONS"), 200);
  EXPECT_EQ(run(c, "GET", "10.9.8.7"), 200);
}

// <RequireAll> Require all granted <RequireNone> Require ip 127.0.0.1: 403 from 127.0.0.1.
TEST(AccessAuthz, RequireNoneRefuses) {
  auto c = level({section(d::AuthzLogic::All,
                          {line("all granted"), section(d::AuthzLogic::None, {line("ip 127.0.0.1")})})});
  EXPECT_EQ(run(c, "GET"), 403);
  EXPECT_EQ(run(c, "GET", "192.0.2.1"), 200);
}

TEST(AccessAuthz, RequireNoneAloneNeverGrants) {
  Req r("GET", "192.0.2.1");
  auto none = section(d::AuthzLogic::None, {line("ip 127.0.0.1")});
  EXPECT_EQ(evaluate_authz(none, d::AuthzLogic::All, AccessEnv{r.ctx, &r.dns}), AuthzStatus::Neutral);
  Req local;
  EXPECT_EQ(evaluate_authz(none, d::AuthzLogic::All, AccessEnv{local.ctx, &local.dns}), AuthzStatus::Denied);
}

// Require method GET: GET and HEAD 200, POST/OPTIONS/FOO 403. Require method HEAD grants GET too.
TEST(AccessAuthz, MethodProviderHeadIsGet) {
  auto c = level({line("method GET")});
  EXPECT_EQ(run(c, "GET"), 200);
  EXPECT_EQ(run(c, "HEAD"), 200);
  EXPECT_EQ(run(c, "POST"), 403);
  EXPECT_EQ(run(c, "FOO"), 403);
  auto h = level({line("method HEAD")});
  EXPECT_EQ(run(h, "GET"), 200);
  EXPECT_EQ(run(h, "FOO"), 403);
}

// <Limit HEAD> Require all denied: GET 403, HEAD 403, FOO granted.
TEST(AccessAuthz, LimitHeadCoversGet) {
  auto c = level({line("all denied", {"HEAD"})});
  EXPECT_EQ(run(c, "GET"), 403);
  EXPECT_EQ(run(c, "HEAD"), 403);
  EXPECT_EQ(run(c, "FOO"), 200);
}

// <LimitExcept GET> Require all denied: GET/HEAD 200, POST/OPTIONS/FOO 403.
TEST(AccessAuthz, LimitExcept) {
  auto c = level({line("all denied", {"GET"}, true)});
  EXPECT_EQ(run(c, "GET"), 200);
  EXPECT_EQ(run(c, "HEAD"), 200);
  EXPECT_EQ(run(c, "POST"), 403);
  EXPECT_EQ(run(c, "FOO"), 403);
}

// <Limit POST> Require all denied </Limit>; Require all denied; Require method POST:
// GET 403, POST 200 (the method line grants), OPTIONS 403.
TEST(AccessAuthz, LimitedChildBesideUnlimitedOnes) {
  auto c = level({line("all denied", {"POST"}), line("all denied"), line("method POST")});
  EXPECT_EQ(run(c, "GET"), 403);
  EXPECT_EQ(run(c, "POST"), 200);
  EXPECT_EQ(run(c, "OPTIONS"), 403);
}

// <RequireAll> Require all granted <RequireAll> Require not ip 10.0.0.1; Require not ip 10.0.0.2:
// 200 (all-neutral inner section is neutral).
TEST(AccessAuthz, AllNeutralSectionIsNeutral) {
  auto c =
      level({section(d::AuthzLogic::All,
                     {line("all granted"),
                      section(d::AuthzLogic::All, {line("not ip 10.0.0.1"), line("not ip 10.0.0.2")})})});
  EXPECT_EQ(run(c, "GET"), 200);
  EXPECT_EQ(run(c, "GET", "10.0.0.2"), 403);
}

TEST(AccessAuthz, NeutralAtTopIsForbidden) {
  d::AuthzDirConf c;
  c.root = section(d::AuthzLogic::All, {line("not ip 10.0.0.1")});
  c.root->line = 0;
  EXPECT_EQ(run(c, "GET"), 403);
}

// AuthMerging And: <Location /n> Require ip 127.0.0.1; <Location /n/x> AuthMerging And,
// Require method POST: GET 403, POST granted. (The join is what the merge builds.)
TEST(AccessAuthz, AuthMergingAndJoin) {
  d::AuthzDirConf c;
  d::AuthzNode joined;
  joined.is_section = true;
  joined.logic = d::AuthzLogic::All;
  joined.children.push_back(*level({line("ip 127.0.0.1")}).root);
  joined.children.push_back(*level({line("method POST")}).root);
  c.root = joined;
  EXPECT_EQ(run(c, "GET"), 403);
  EXPECT_EQ(run(c, "POST"), 200);
  EXPECT_EQ(run(c, "POST", "10.0.0.1"), 403);
}

TEST(AccessAuthz, AuthMergingOrJoin) {
  d::AuthzDirConf c;
  d::AuthzNode joined;
  joined.is_section = true;
  joined.logic = d::AuthzLogic::Any;
  joined.children.push_back(*level({line("ip 10.1.1.1")}).root);
  joined.children.push_back(*level({line("method POST")}).root);
  c.root = joined;
  EXPECT_EQ(run(c, "GET"), 403);
  EXPECT_EQ(run(c, "POST"), 200);
  EXPECT_EQ(run(c, "GET", "10.1.1.1"), 200);
}

TEST(AccessAuthz, NoRequireLinesGrant) {
  d::AuthzDirConf c;
  EXPECT_EQ(run(c, "GET"), 200);
}

// Require env ALLOWME: 403 unless set (SetEnvIf User-Agent ^letmein ALLOWME in Apache).
TEST(AccessAuthz, EnvProvider) {
  auto c = level({line("env ALLOWME OTHER")});
  Req r;
  EXPECT_EQ(r.status(c), 403);
  r.env.set("OTHER", "");
  EXPECT_EQ(r.status(c), 200);
}

// Require expr %{REQUEST_METHOD} == 'GET' && %{HTTP:X-T} =~ /^ok/ : 403 without X-T.
TEST(AccessAuthz, ExprProvider) {
  auto c = level({line("expr %{REQUEST_METHOD} == 'GET' && %{HTTP:X-T} =~ /^ok/")});
  Req r;
  expr::VarTable in;
  r.ctx.headers_in = &in;
  EXPECT_EQ(r.status(c), 403);
  in.set("X-T", "okay");
  EXPECT_EQ(r.status(c), 200);
  r.ctx.info.method = "POST";
  EXPECT_EQ(r.status(c), 403);
}

TEST(AccessAuthz, ExprErrorIsServerError) {
  auto c = level({line("expr file('/nonexistent/zz') == ''")});
  EXPECT_EQ(run(c, "GET"), 500);
}

// Require local: 200 from 127.0.0.1; Require ip 127.0.0.2 ::1: 403 from 127.0.0.1.
TEST(AccessAuthz, LocalAndIpProviders) {
  auto local = level({line("local")});
  EXPECT_EQ(run(local, "GET"), 200);
  EXPECT_EQ(run(local, "GET", "::1"), 200);
  EXPECT_EQ(run(local, "GET", "192.0.2.9"), 403);
  auto ip = level({line("ip 127.0.0.2 ::1")});
  EXPECT_EQ(run(ip, "GET"), 403);
  EXPECT_EQ(run(ip, "GET", "::1"), 200);
  auto partial = level({line("ip 10.1")});
  EXPECT_EQ(run(partial, "GET", "10.1.200.3"), 200);
  EXPECT_EQ(run(partial, "GET", "10.2.0.1"), 403);
}

// Require host localhost / forward-dns localhost: 200 from 127.0.0.1 (double reverse lookup).
TEST(AccessAuthz, HostProvidersUseDoubleLookup) {
  auto host = level({line("host localhost")});
  Req r;
  EXPECT_EQ(r.status(host), 200);
  r.dns.a["localhost"] = {"127.0.0.9"}; // forward does not confirm the PTR name
  EXPECT_EQ(r.status(host), 403);
  auto fwd = level({line("forward-dns localhost")});
  Req f;
  EXPECT_EQ(f.status(fwd), 200);
  auto dom = level({line("host .example.org")});
  Req e("GET", "192.0.2.5");
  e.dns.ptr["192.0.2.5"] = "www.Example.org";
  e.dns.a["www.Example.org"] = {"192.0.2.5"};
  EXPECT_EQ(e.status(dom), 200);
}

TEST(AccessAuthz, HostInDomain) {
  EXPECT_TRUE(host_in_domain("example.org", "www.example.org"));
  EXPECT_TRUE(host_in_domain(".example.org", "www.example.org"));
  EXPECT_FALSE(host_in_domain("ample.org", "www.example.org"));
  EXPECT_TRUE(host_in_domain("EXAMPLE.ORG", "example.org"));
}

// ---- mod_access_compat ----

// Order deny,allow; Deny from all; Allow from 127.0.0.1: 200.
TEST(AccessCompat, DenyAllowAllowWins) {
  d::AuthzDirConf c;
  c.order = d::AccessOrder::DenyAllow;
  c.deny = {rule("all")};
  c.allow = {rule("127.0.0.1")};
  EXPECT_EQ(run(c, "GET"), 200);
  EXPECT_EQ(run(c, "GET", "10.0.0.1"), 403);
}

// Order allow,deny; Allow from all; Deny from 127.0.0.1: 403.
TEST(AccessCompat, AllowDenyDenyWins) {
  d::AuthzDirConf c;
  c.order = d::AccessOrder::AllowDeny;
  c.allow = {rule("all")};
  c.deny = {rule("127.0.0.1")};
  EXPECT_EQ(run(c, "GET"), 403);
  EXPECT_EQ(run(c, "GET", "10.0.0.1"), 200);
}

// Order allow,deny with no Allow/Deny: 403.
TEST(AccessCompat, AllowDenyWithoutRulesDenies) {
  d::AuthzDirConf c;
  c.order = d::AccessOrder::AllowDeny;
  EXPECT_EQ(run(c, "GET"), 403);
}

// Order mutual-failure; Allow from 127.0.0.1: 200.
TEST(AccessCompat, MutualFailure) {
  d::AuthzDirConf c;
  c.order = d::AccessOrder::MutualFailure;
  c.allow = {rule("127.0.0.1")};
  EXPECT_EQ(run(c, "GET"), 200);
  c.deny = {rule("127.0.0.0/8")};
  EXPECT_EQ(run(c, "GET"), 403);
}

// Order deny,allow; Deny from env=BAD (SetEnvIf X-Bad yes BAD): 200 without the header.
TEST(AccessCompat, EnvRules) {
  d::AuthzDirConf c;
  c.order = d::AccessOrder::DenyAllow;
  c.deny = {rule("env=BAD")};
  Req r;
  EXPECT_EQ(r.status(c), 200);
  r.env.set("BAD", "1");
  EXPECT_EQ(r.status(c), 403);
  d::AuthzDirConf n;
  n.order = d::AccessOrder::AllowDeny;
  n.allow = {rule("env=!BAD")};
  EXPECT_EQ(r.status(n), 403);
  r.env.unset("BAD");
  EXPECT_EQ(r.status(n), 200);
}

TEST(AccessCompat, HostRule) {
  d::AuthzDirConf c;
  c.order = d::AccessOrder::DenyAllow;
  c.deny = {rule("all")};
  c.allow = {rule("localhost")};
  EXPECT_EQ(run(c, "GET"), 200);
}

// Deny from all + Require all granted (Satisfy All): 403 by access_compat.
TEST(AccessCompat, SatisfyAllCompatRefusalIsFinal) {
  auto c = level({line("all granted")});
  c.order = d::AccessOrder::DenyAllow;
  c.deny = {rule("all")};
  Req r;
  auto dec = check_access(c, AccessEnv{r.ctx, &r.dns});
  EXPECT_EQ(dec.status(), 403);
  EXPECT_EQ(dec.denied_by, DeniedBy::AccessCompat);
}

// Satisfy any: Allow from 127.0.0.1 matches, Require all denied: 200.
TEST(AccessCompat, SatisfyAnyAllowGrants) {
  auto c = level({line("all denied")});
  c.order = d::AccessOrder::DenyAllow;
  c.deny = {rule("all")};
  c.allow = {rule("127.0.0.1")};
  c.satisfy_any = true;
  EXPECT_EQ(run(c, "GET"), 200);
}

// Satisfy any: Deny from all, Require all granted: 200.
TEST(AccessCompat, SatisfyAnyRequireGrants) {
  auto c = level({line("all granted")});
  c.order = d::AccessOrder::DenyAllow;
  c.deny = {rule("all")};
  c.satisfy_any = true;
  EXPECT_EQ(run(c, "GET"), 200);
}

// Satisfy any with no Order/Allow/Deny and Require all denied: 200 (compat approves by default).
TEST(AccessCompat, SatisfyAnyWithoutRulesBypassesRequire) {
  auto c = level({line("all denied")});
  c.satisfy_any = true;
  EXPECT_EQ(run(c, "GET"), 200);
  c.satisfy_any = false;
  EXPECT_EQ(run(c, "GET"), 403);
}

TEST(AccessCompat, RulesInsideLimitApplyToTheirMethods) {
  d::AuthzDirConf c;
  c.order = d::AccessOrder::DenyAllow;
  auto r = rule("all");
  r.limit_methods = {"POST"};
  c.deny = {r};
  EXPECT_EQ(run(c, "GET"), 200);
  EXPECT_EQ(run(c, "POST"), 403);
}

// Error log: "[authz_core:error] ... AH01630: client denied by server configuration:
// /tmp/access/htdocs/u/f" and "[access_compat:error] ... AH01797: ...".
TEST(AccessLog, DenialMessages) {
  EXPECT_EQ(denial_log_message(DeniedBy::AuthzCore, "/tmp/access/htdocs/u/f", "/u/f"),
            "AH01630: client denied by server configuration: /tmp/access/htdocs/u/f");
  EXPECT_EQ(denial_log_message(DeniedBy::AccessCompat, "/tmp/access/htdocs/r/f", "/r/f"),
            "AH01797: client denied by server configuration: /tmp/access/htdocs/r/f");
  EXPECT_EQ(denial_log_message(DeniedBy::AuthzCore, "", "/x"),
            "AH01630: client denied by server configuration: uri /x");
  EXPECT_EQ(denial_log_module(DeniedBy::AccessCompat), "access_compat");
  auto c = level({line("all denied")});
  Req r;
  EXPECT_EQ(check_access(c, AccessEnv{r.ctx, &r.dns}).denied_by, DeniedBy::AuthzCore);
}

} // namespace
} // namespace balancerd::access
