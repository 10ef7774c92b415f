// What the http-family handlers put into the config model: compiled Header rules, the Require tree,
// log formats, TLS settings, read timeouts, SetEnvIf rules, remote-IP networks, redirects.
#include "directives/modules/http_authz.hpp"
#include "http_test_support.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>

namespace {

using namespace balancerd::directives;
using http_test::compile_text;

std::shared_ptr<const Config> ok(const std::string& text) {
  auto r = compile_text(text);
  EXPECT_EQ(r.error, "") << text;
  return r.config;
}

const Section& only_section(const Config& c) {
  EXPECT_EQ(c.main.sections.size(), 1u);
  return c.main.sections.at(0);
}

TEST(HttpModel, HeaderRulesAreCompiled) {
  auto c = ok("Header always set X-Frame-Options SAMEORIGIN\n"
              "Header append Vary Accept-Encoding env=!NOVARY\n"
              "Header edit* Set-Cookie \"(?i)secure\" \"Secure; %{X}e\"\n"
              "Header set X-Expr yes \"expr=%{REQUEST_URI} =~ m#^/api#\"\n"
              "RequestHeader set X-Forwarded-Proto https early\n"
              "Header set X-Time \"%t %D\"\n"
              "Header set X-Val expr=%{REQUEST_URI}\n"
              "Header echo ^X-\n");
  ASSERT_TRUE(c);
  const auto& rules = c->main.dir.headers.rules;
  ASSERT_EQ(rules.size(), 8u);
  EXPECT_EQ(rules[0].table, HeaderTable::ResponseAlways);
  EXPECT_EQ(rules[0].action, HeaderAction::Set);
  EXPECT_EQ(rules[0].header, "X-Frame-Options");
  ASSERT_EQ(rules[0].value.size(), 1u);
  EXPECT_EQ(rules[0].value[0].text, "SAMEORIGIN");
  EXPECT_EQ(rules[0].line, 2u);

  EXPECT_EQ(rules[1].table, HeaderTable::ResponseSuccess);
  EXPECT_EQ(rules[1].condition.kind, HeaderCondition::Kind::Env);
  EXPECT_TRUE(rules[1].condition.env_negated);
  EXPECT_EQ(rules[1].condition.env, "NOVARY");

  EXPECT_EQ(rules[2].action, HeaderAction::EditAll);
  ASSERT_TRUE(rules[2].regex);
  EXPECT_TRUE(rules[2].regex->search("a; SECURE"));
  EXPECT_EQ(rules[2].replacement, "Secure; %{X}e");
  ASSERT_EQ(rules[2].value.size(), 2u);
  EXPECT_EQ(rules[2].value[1].kind, HeaderFormatItem::Kind::Env);
  EXPECT_EQ(rules[2].value[1].text, "X");

  EXPECT_EQ(rules[3].condition.kind, HeaderCondition::Kind::Expr);
  ASSERT_TRUE(rules[3].condition.expr);
  EXPECT_EQ(rules[3].condition.expr->root.kind, expr::Kind::Compare);

  EXPECT_EQ(rules[4].table, HeaderTable::Request);
  EXPECT_EQ(rules[4].condition.kind, HeaderCondition::Kind::Early);

  ASSERT_EQ(rules[5].value.size(), 3u);
  EXPECT_EQ(rules[5].value[0].kind, HeaderFormatItem::Kind::Time);
  EXPECT_EQ(rules[5].value[1].text, " ");
  EXPECT_EQ(rules[5].value[2].kind, HeaderFormatItem::Kind::Duration);

  ASSERT_TRUE(rules[6].value_expr);
  EXPECT_FALSE(rules[6].value_expr->is_bool);
  EXPECT_EQ(rules[6].value_expr->root.kind, expr::Kind::Var);

  EXPECT_EQ(rules[7].action, HeaderAction::Echo);
  ASSERT_TRUE(rules[7].regex);
  EXPECT_TRUE(rules[7].regex->search("X-Foo"));
  EXPECT_FALSE(rules[7].regex->search("Y-Foo"));
}

TEST(HttpModel, RequireTreeOfFixture40) {
  auto c = ok("<Location \"/x\">\n"
              "  <RequireAll>\n"
              "    Require ip 127.0.0.1 ::1 10.0.0.0/8\n"
              "    Require not env BLOCKED\n"
              "    <RequireAny>\n"
              "      Require method GET HEAD\n"
              "      Require expr \"%{REQUEST_METHOD} == 'POST'\"\n"
              "    </RequireAny>\n"
              "  </RequireAll>\n"
              "</Location>\n");
  ASSERT_TRUE(c);
  const auto& authz = *only_section(*c).conf.authz;
  ASSERT_TRUE(authz.root);
  EXPECT_EQ(authz.root->logic, AuthzLogic::Any);
  ASSERT_EQ(authz.root->children.size(), 1u);
  const AuthzNode& all = authz.root->children[0];
  EXPECT_TRUE(all.is_section);
  EXPECT_EQ(all.logic, AuthzLogic::All);
  EXPECT_EQ(all.line, 3u);
  ASSERT_EQ(all.children.size(), 3u);

  const AuthzRequire& ip = all.children[0].require;
  EXPECT_EQ(ip.provider, AuthzProvider::Ip);
  ASSERT_EQ(ip.subnets.size(), 3u);
  const std::uint8_t ten[4] = {10, 1, 2, 3};
  const std::uint8_t eleven[4] = {11, 1, 2, 3};
  EXPECT_TRUE(ip.subnets[2].contains(ten, false));
  EXPECT_FALSE(ip.subnets[2].contains(eleven, false));

  const AuthzRequire& env = all.children[1].require;
  EXPECT_EQ(env.provider, AuthzProvider::Env);
  EXPECT_TRUE(env.negated);
  EXPECT_EQ(env.words, std::vector<std::string>{"BLOCKED"});

  const AuthzNode& any = all.children[2];
  EXPECT_EQ(any.logic, AuthzLogic::Any);
  ASSERT_EQ(any.children.size(), 2u);
  EXPECT_EQ(any.children[0].require.words, (std::vector<std::string>{"GET", "HEAD"}));
  ASSERT_TRUE(any.children[1].require.expr);
  EXPECT_EQ(any.children[1].require.expr->root.cmp, expr::Cmp::StrEq);
}

TEST(HttpModel, RequireInsideLimitJoinsTheEnclosingRequireSection) {
  auto c = ok("<Location />\n"
              "  <RequireAll>\n"
              "    Require all granted\n"
              "    <Limit POST PUT>\n"
              "      Require not ip 10.0.0.1\n"
              "    </Limit>\n"
              "  </RequireAll>\n"
              "</Location>\n");
  ASSERT_TRUE(c);
  const auto& root = *only_section(*c).conf.authz->root;
  ASSERT_EQ(root.children.size(), 1u);
  const AuthzNode& all = root.children[0];
  ASSERT_EQ(all.children.size(), 2u);
  EXPECT_TRUE(all.children[0].require.granted);
  EXPECT_TRUE(all.children[1].require.negated);
  EXPECT_EQ(all.children[1].limit_methods, (std::vector<std::string>{"POST", "PUT"}));
}

TEST(HttpModel, AccessCompatAndMerging) {
  auto c = ok("<Location />\n"
              "  Order deny,allow\n"
              "  Deny from all\n"
              "  Allow from 10.0.0.0/8 .example.com env=!BAD\n"
              "  Satisfy any\n"
              "  AuthMerging Or\n"
              "</Location>\n");
  ASSERT_TRUE(c);
  const auto& a = *only_section(*c).conf.authz;
  EXPECT_EQ(a.order, AccessOrder::DenyAllow);
  ASSERT_EQ(a.deny.size(), 1u);
  EXPECT_EQ(a.deny[0].kind, AccessRule::Kind::All);
  ASSERT_EQ(a.allow.size(), 3u);
  EXPECT_EQ(a.allow[0].kind, AccessRule::Kind::Ip);
  EXPECT_EQ(a.allow[1].kind, AccessRule::Kind::Host);
  EXPECT_EQ(a.allow[1].text, ".example.com");
  EXPECT_EQ(a.allow[2].kind, AccessRule::Kind::EnvNot);
  EXPECT_EQ(a.allow[2].text, "BAD");
  EXPECT_EQ(a.satisfy_any, std::optional<bool>(true));
  EXPECT_EQ(a.merging, AuthMerging::Or);
  EXPECT_FALSE(a.root);
}

TEST(HttpModel, NegativeOnlyRequireAllIsFoundAfterTheWalk) {
  // Apache: "AH01624: <RequireAll> directive contains only negative authorization directives" then
  // "AH00014: Configuration check failed" (a check after the walk, not a syntax error).
  const std::string text = "<Location />\n"
                           "  <RequireAll>\n"
                           "    <RequireNone>\n"
                           "      Require ip 1.2.3.4\n"
                           "    </RequireNone>\n"
                           "    Require not env X\n"
                           "  </RequireAll>\n"
                           "</Location>\n";
  auto r = compile_text(text);
  const std::string want = "AH01624: <RequireAll> directive contains only negative authorization directives";
  if (r.config) {
    EXPECT_EQ(check_authz_config(*r.config), std::optional<std::string>(want));
  } else {
    EXPECT_NE(r.error.find(want), std::string::npos) << r.error;
  }
  auto fine = ok("<Location />\n  <RequireAll>\n    Require all granted\n    Require not env X\n  "
                 "</RequireAll>\n</Location>\n");
  ASSERT_TRUE(fine);
  EXPECT_EQ(check_authz_config(*fine), std::nullopt);
}

TEST(HttpModel, NegativeOnlyRequireAllNestedInAVirtualHostFailsTheConfigTest) {
  // apache2 -t: "AH01624: ..." then "AH00014: Configuration check failed". The check after the walk
  // runs because the walk counted the <RequireAll> (it is skipped only when there is none).
  auto r = compile_text("<VirtualHost *:80>\n<Location />\n<RequireAny>\n<RequireAll>\n"
                        "Require not ip 1.2.3.4\n</RequireAll>\nRequire all granted\n</RequireAny>\n"
                        "</Location>\n</VirtualHost>\n");
  EXPECT_FALSE(r.config);
  EXPECT_NE(r.error.find("AH01624: <RequireAll> directive contains only negative authorization directives"),
            std::string::npos)
      << r.error;
}

TEST(HttpModel, LogFormatsAndLogs) {
  auto c = ok("LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\"\" combined\n"
              "LogFormat \"%!200,304{User-Agent}i\" ua\n"
              "CustomLog logs/access.log combined env=!dontlog\n"
              "CustomLog \"|/usr/bin/logger\" \"%h %U\"\n"
              "TransferLog logs/t.log\n");
  ASSERT_TRUE(c);
  const auto& log = c->main.log;
  ASSERT_EQ(log.formats.count("combined"), 1u);
  const auto& items = log.formats.at("combined").items;
  ASSERT_GE(items.size(), 10u);
  EXPECT_FALSE(items[0].literal);
  EXPECT_EQ(items[0].tag, "h");
  EXPECT_TRUE(items[1].literal);
  EXPECT_EQ(items[1].text, " ");
  EXPECT_EQ(items[6].tag, "t");
  EXPECT_EQ(items[7].text, " \"");
  const auto& status = items[10];
  EXPECT_EQ(status.tag, "s");
  EXPECT_TRUE(status.want_final);
  const auto& ua = log.formats.at("ua").items.at(0);
  EXPECT_TRUE(ua.statuses_negated);
  EXPECT_EQ(ua.statuses, (std::vector<int>{200, 304}));
  EXPECT_EQ(ua.arg, "User-Agent");

  ASSERT_EQ(log.logs.size(), 3u);
  EXPECT_TRUE(log.logs[0].format_resolved);
  EXPECT_EQ(log.logs[0].format.source, log.formats.at("combined").source);
  EXPECT_EQ(log.logs[0].condition.kind, LogCondition::Kind::EnvNot);
  EXPECT_EQ(log.logs[0].target, c->server_root + "/logs/access.log");
  EXPECT_TRUE(log.logs[1].piped);
  EXPECT_EQ(log.logs[1].format.items.size(), 3u);
  EXPECT_EQ(log.logs[2].format.source, "%h %l %u %t \"%r\" %>s %b");
}

TEST(HttpModel, TlsSettings) {
  auto c = ok("<VirtualHost *:28443>\n"
              "  SSLEngine on\n"
              "  SSLCertificateFile cert.pem\n"
              "  SSLCertificateKeyFile cert.pem\n"
              "  SSLProtocol all -SSLv3 -TLSv1 -TLSv1.1\n"
              "  SSLCipherSuite HIGH:!aNULL\n"
              "  SSLCipherSuite TLSv1.3 TLS_AES_256_GCM_SHA384\n"
              "  SSLProxyEngine on\n"
              "  SSLProxyVerify require\n"
              "  SSLProxyCheckPeerName off\n"
              "  SSLProxyProtocol +TLSv1.3\n"
              "</VirtualHost>\n");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->vhosts.size(), 1u);
  const auto& ssl = *c->vhosts[0].ssl;
  EXPECT_EQ(ssl.engine, SslEngine::On);
  ASSERT_EQ(ssl.server.certificate_files.size(), 1u);
  EXPECT_EQ(ssl.server.certificate_files[0], c->server_root + "/cert.pem");
  EXPECT_EQ(ssl.server.protocols, std::optional<unsigned>(SSL_PROTO_TLSV1_2 | SSL_PROTO_TLSV1_3));
  EXPECT_EQ(ssl.server.cipher_suite, std::optional<std::string>("HIGH:!aNULL"));
  EXPECT_EQ(ssl.server.cipher_suite_tls13, std::optional<std::string>("TLS_AES_256_GCM_SHA384"));
  EXPECT_EQ(ssl.proxy.engine, std::optional<bool>(true));
  EXPECT_EQ(ssl.proxy.ctx.verify, SslVerify::Require);
  EXPECT_EQ(ssl.proxy.check_peer_name, std::optional<bool>(false));
  EXPECT_EQ(ssl.proxy.ctx.protocols, std::optional<unsigned>(SSL_PROTO_TLSV1_3));
  EXPECT_FALSE(c->main.ssl.allocated()); // no SSL* directive at server level: nothing allocated
  EXPECT_EQ(c->main.ssl->engine, SslEngine::Unset);
}

TEST(HttpModel, ReadTimeoutsAndH2) {
  auto c = ok("RequestReadTimeout header=20-40,MinRate=500 body=20,MinRate=500\n"
              "H2WindowSize 65535\n"
              "H2Direct on\n");
  ASSERT_TRUE(c);
  const auto& m = c->main.misc;
  EXPECT_TRUE(m.header_timeout.set);
  EXPECT_EQ(m.header_timeout.timeout, 20);
  EXPECT_EQ(m.header_timeout.max_timeout, 40);
  EXPECT_EQ(m.header_timeout.min_rate, 500);
  EXPECT_EQ(m.body_timeout.timeout, 20);
  EXPECT_EQ(m.body_timeout.max_timeout, 0);
  EXPECT_FALSE(m.handshake_timeout.set);
  EXPECT_EQ(m.h2.window_size, std::optional<int>(65535));
  EXPECT_EQ(m.h2.direct, std::optional<bool>(true));
}

TEST(HttpModel, SetEnvIfEnvAndRemoteIp) {
  auto c = ok("SetEnvIfNoCase User-Agent \"^curl\" is_curl !tracked level=2\n"
              "SetEnvIf ^X-Custom- ^yes custom\n"
              "SetEnvIf Remote_Addr \"^10\\.\" internal\n"
              "SetEnvIfExpr \"-n %{HTTP:X-Foo}\" has_foo\n"
              "SetEnv A b\n"
              "UnsetEnv C\n"
              "RemoteIPHeader X-Forwarded-For\n"
              "RemoteIPTrustedProxy 10.0.0.0/8 192.168.1.1\n"
              "RemoteIPInternalProxy 127.0.0.1\n");
  ASSERT_TRUE(c);
  const auto& rules = c->main.dir.env.setenvif;
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[0].subject, SetEnvIfRule::Subject::Header);
  ASSERT_TRUE(rules[0].regex);
  EXPECT_TRUE(rules[0].regex->search("CURL/8.0"));
  ASSERT_EQ(rules[0].assignments.size(), 3u);
  EXPECT_EQ(rules[0].assignments[0].value, "1");
  EXPECT_TRUE(rules[0].assignments[1].unset);
  EXPECT_EQ(rules[0].assignments[2].name, "level");
  EXPECT_EQ(rules[0].assignments[2].value, "2");
  EXPECT_EQ(rules[1].subject, SetEnvIfRule::Subject::HeaderRegex);
  ASSERT_TRUE(rules[1].name_regex);
  EXPECT_TRUE(rules[1].name_regex->search("x-custom-thing"));
  EXPECT_EQ(rules[2].subject, SetEnvIfRule::Subject::RemoteAddr);
  EXPECT_EQ(rules[3].subject, SetEnvIfRule::Subject::Expr);
  ASSERT_TRUE(rules[3].expr);

  const auto& env = c->main.dir.env.setenv;
  ASSERT_EQ(env.size(), 2u);
  EXPECT_EQ(env[0].name, "A");
  EXPECT_EQ(env[0].value, "b");
  EXPECT_TRUE(env[1].unset);

  const auto& rip = c->main.env;
  EXPECT_EQ(rip.remoteip_header, std::optional<std::string>("X-Forwarded-For"));
  ASSERT_EQ(rip.trusted_proxies.size(), 2u);
  const std::uint8_t a[4] = {192, 168, 1, 1};
  const std::uint8_t b[4] = {192, 168, 1, 2};
  EXPECT_TRUE(rip.trusted_proxies[1].contains(a, false));
  EXPECT_FALSE(rip.trusted_proxies[1].contains(b, false));
  ASSERT_EQ(rip.internal_proxies.size(), 1u);
}

TEST(HttpModel, RedirectsAliasesAndIndexes) {
  auto c = ok("Redirect permanent /old https://example.com/new\n"
              "RedirectMatch 410 ^/gone/\n"
              "Alias /static /srv/static\n"
              "DirectoryIndex index.html index.htm\n"
              "AddType text/x-foo .FOO .bar\n"
              "<Location /x>\n"
              "  Redirect 303 https://example.com/see\n"
              "</Location>\n");
  ASSERT_TRUE(c);
  const auto& m = c->main.mapping;
  ASSERT_EQ(m.redirects.size(), 2u);
  EXPECT_EQ(m.redirects[0].status, 301);
  EXPECT_EQ(m.redirects[0].fake, "/old");
  EXPECT_EQ(m.redirects[0].real, "https://example.com/new");
  EXPECT_EQ(m.redirects[1].status, 410);
  ASSERT_TRUE(m.redirects[1].regex);
  EXPECT_TRUE(m.redirects[1].regex->search("/gone/x"));
  ASSERT_EQ(m.aliases.size(), 1u);
  EXPECT_EQ(m.aliases[0].real, "/srv/static");
  const auto& dir = *c->main.dir.mapping;
  EXPECT_EQ(dir.directory_index, (std::optional<std::vector<std::string>>({"index.html", "index.htm"})));
  // ITERATE2: one mapping per extension, in order, lower-cased without the dot.
  ASSERT_EQ(dir.mime.size(), 2u);
  EXPECT_EQ(dir.mime[0].value, "text/x-foo");
  EXPECT_EQ(dir.mime[0].extensions, std::vector<std::string>{"foo"});
  EXPECT_EQ(dir.mime[1].extensions, std::vector<std::string>{"bar"});
  const auto& loc = *only_section(*c).conf.mapping;
  ASSERT_TRUE(loc.dir_alias);
  EXPECT_EQ(loc.dir_alias->status, 303);
  EXPECT_EQ(loc.dir_alias->real, "https://example.com/see");
}

TEST(HttpModel, IpSubnetRules) {
  auto net = [](const char* s) { return parse_ip_subnet(s); };
  EXPECT_TRUE(net("10.1").subnet);
  const std::uint8_t in[4] = {10, 1, 200, 3};
  const std::uint8_t out[4] = {10, 2, 0, 1};
  EXPECT_TRUE(net("10.1").subnet->contains(in, false));
  EXPECT_FALSE(net("10.1").subnet->contains(out, false));
  EXPECT_EQ(net("example.com").error, IpSubnetError::NotAnAddress);
  EXPECT_EQ(net("10.0.0.0/33").error, IpSubnetError::BadMask);
  EXPECT_EQ(net("256.0.0.1").error, IpSubnetError::BadAddress);
  // IPv4-mapped IPv6 peers match IPv4 networks.
  std::uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3};
  EXPECT_TRUE(net("10.0.0.0/8").subnet->contains(mapped, true));
  std::uint8_t v6[16];
  ASSERT_EQ(inet_pton(AF_INET6, "fe80::1", v6), 1);
  EXPECT_TRUE(net("fe80::/10").subnet->contains(v6, true));
  EXPECT_FALSE(net("::1").subnet->contains(v6, true));
}

} // namespace

namespace {

using namespace balancerd::directives;

TEST(HttpRequireLine, ProvidersOfUnimplementedModulesNeedTheirModule) {
  AuthzRequire r;
  EXPECT_EQ(http::parse_require_line("valid-user", true, r),
            std::optional<std::string>("Unknown Authz provider: valid-user"));
  AuthzRequire s;
  EXPECT_EQ(http::parse_require_line("valid-user", true, s, {"user", "valid-user"}), std::nullopt);
  EXPECT_EQ(s.provider, AuthzProvider::Other);
  EXPECT_EQ(s.name, "valid-user");
  AuthzRequire t;
  EXPECT_EQ(http::parse_require_line("ip 1.2.3.4", false, t),
            std::optional<std::string>("Unknown Authz provider: ip"));
  AuthzRequire u;
  EXPECT_EQ(http::parse_require_line("not user bob alice", true, u, {"user"}), std::nullopt);
  EXPECT_TRUE(u.negated);
  EXPECT_EQ(u.args, "bob alice");
}

} // namespace
