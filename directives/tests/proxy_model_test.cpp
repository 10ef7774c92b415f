// What the mod_proxy family handlers build: workers (normalised names, defaults, sharing), balancers
// and their members, ProxyPass rules, per-directory settings. Sharing behaviour was checked against
// apache2 with "LogLevel proxy:debug" (AH01145/AH01147/AH01149 lines).
#include "directives/modules/proxy_merge.hpp"
#include "directives/modules/proxy_startup.hpp"
#include "proxy_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace {

using namespace balancerd::directives;
using proxy_test::compile_text;
using std::chrono::seconds;

const ProxyServerConf& main_proxy(const proxy_test::Compiled& c) {
  return c.config->main.proxy;
}

TEST(ProxyModel, WorkerNameIsNormalised) {
  const auto c = compile_text("ProxyPass /a HTTP://Host:80/Path/\n"
                              "ProxyPass /b http://h:0080\n"
                              "ProxyPass /c ajp://h:8009/\n"
                              "ProxyPass /d http://[::1]:80/\n"
                              "ProxyPass /e http://u:p@x:8080/a?b#c\n"
                              "ProxyPass /f http://y:/\n");
  ASSERT_EQ(c.error, "");
  const auto& w = main_proxy(c).workers;
  ASSERT_EQ(w.size(), 6u);
  EXPECT_EQ(w[0].name, "http://host/Path/");
  EXPECT_EQ(w[0].port, 80);
  EXPECT_EQ(w[1].name, "http://h");
  EXPECT_EQ(w[2].name, "ajp://h/");
  EXPECT_EQ(w[2].port, 8009);
  EXPECT_EQ(w[3].name, "http://[::1]/");
  EXPECT_EQ(w[3].hostname, "::1");
  EXPECT_EQ(w[4].name, "http://u:p@x:8080/a?b#c");
  EXPECT_EQ(w[4].port, 8080);
  EXPECT_EQ(w[5].name, "http://y/");
}

TEST(ProxyModel, WorkerDefaults) {
  const auto c = compile_text("ProxyPass /a http://h/");
  ASSERT_EQ(c.error, "");
  const Worker& w = main_proxy(c).workers.at(0);
  EXPECT_EQ(w.params.lbfactor, 100);
  EXPECT_EQ(w.params.retry, seconds(60));
  EXPECT_FALSE(w.params.retry_set);
  EXPECT_FALSE(w.params.timeout_set);
  EXPECT_EQ(w.params.smax, -1);
  EXPECT_EQ(w.params.hmax, 0);
  EXPECT_EQ(w.params.address_ttl, -1);
  EXPECT_EQ(w.params.io_buffer_size, 8192u);
  EXPECT_EQ(w.params.flush_wait, Micros(10000));
  EXPECT_EQ(w.params.hc.method, HcMethod::None);
  EXPECT_EQ(w.params.hc.interval, seconds(30));
  // A worker outside any balancer ignores errors (Apache's PROXY_WORKER_IGNORE_ERRORS).
  EXPECT_EQ(w.params.status, unsigned{kWorkerIgnoreErrors});
  EXPECT_TRUE(w.balancer.empty());
  EXPECT_EQ(w.line, 2u);
}

TEST(ProxyModel, WorkerParametersAreStored) {
  const auto c =
      compile_text("ProxyPass /a http://h/ loadfactor=2.5 lbset=3 retry=7 timeout=9 "
                   "connectiontimeout=250ms acquire=5 ping=2 ttl=30 min=1 max=20 smax=10 "
                   "keepalive=On enablereuse=off flushpackets=auto flushwait=50 iobuffersize=0 "
                   "receivebuffersize=1024 route=r1 redirect=r2 status=+H-I upgrade=ANY addressttl=10");
  ASSERT_EQ(c.error, "");
  const WorkerParams& p = main_proxy(c).workers.at(0).params;
  EXPECT_EQ(p.lbfactor, 250);
  EXPECT_EQ(p.lbset, 3);
  EXPECT_EQ(p.retry, seconds(7));
  EXPECT_TRUE(p.retry_set);
  EXPECT_EQ(p.timeout, seconds(9));
  EXPECT_EQ(p.connection_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(p.acquire, std::chrono::milliseconds(5));
  EXPECT_EQ(p.ping_timeout, seconds(2));
  EXPECT_EQ(p.ttl, seconds(30));
  EXPECT_EQ(p.min, 1);
  EXPECT_EQ(p.hmax, 20);
  EXPECT_EQ(p.smax, 10);
  EXPECT_TRUE(p.keepalive);
  EXPECT_TRUE(p.disablereuse);
  EXPECT_EQ(p.flush_packets, FlushPackets::Auto);
  EXPECT_EQ(p.flush_wait, std::chrono::milliseconds(50));
  EXPECT_EQ(p.io_buffer_size, 8192u);
  EXPECT_TRUE(p.io_buffer_size_set);
  EXPECT_EQ(p.recv_buffer_size, 1024u);
  EXPECT_EQ(p.route, "r1");
  EXPECT_EQ(p.redirect, "r2");
  EXPECT_EQ(p.status, unsigned{kWorkerHotStandby});
  EXPECT_EQ(p.upgrade, "*");
  EXPECT_EQ(p.address_ttl, 10);
}

TEST(ProxyModel, ProxyTimeoutIsCopiedIntoLaterWorkersOnly) {
  const auto c =
      compile_text("ProxyPass /a http://a/\nProxyTimeout 7\nProxyIOBufferSize 1024\nProxyPass /b http://b/");
  ASSERT_EQ(c.error, "");
  const auto& w = main_proxy(c).workers;
  EXPECT_FALSE(w.at(0).params.timeout_set);
  EXPECT_TRUE(w.at(1).params.timeout_set);
  EXPECT_EQ(w.at(1).params.timeout, seconds(7));
  EXPECT_EQ(w.at(1).params.io_buffer_size, 1024u);
  EXPECT_EQ(main_proxy(c).timeout, Micros(seconds(7)));
}

TEST(ProxyModel, SameUrlSharesOneWorkerAndKeepsFirstParameters) {
  const auto c = compile_text("ProxyPass /a http://h/ retry=5\n"
                              "ProxyPass /b http://h/x retry=6\n"
                              "ProxyPass /c HTTP://H/SUB\n");
  ASSERT_EQ(c.error, "");
  const auto& p = main_proxy(c);
  ASSERT_EQ(p.workers.size(), 1u);
  EXPECT_EQ(p.workers[0].params.retry, seconds(5));
  ASSERT_EQ(p.rules.size(), 3u);
  for (const auto& r : p.rules) EXPECT_EQ(r.worker, std::optional<std::size_t>(0));
  EXPECT_EQ(p.rules[2].url, "HTTP://H/SUB");
}

TEST(ProxyModel, ShorterUrlIsADifferentWorker) {
  // "http://h:1" is not matched by the longer "http://h:1/" (Apache's longest-prefix lookup).
  const auto c = compile_text("ProxyPass /a http://h:1/\nProxyPass /b http://h:1\n");
  ASSERT_EQ(c.error, "");
  ASSERT_EQ(main_proxy(c).workers.size(), 2u);
  EXPECT_EQ(main_proxy(c).rules[1].worker, std::optional<std::size_t>(1));
}

TEST(ProxyModel, BalancerMemberAndProxyPassDoNotShareWorkers) {
  const auto c =
      compile_text("<Proxy balancer://b>\nBalancerMember http://h:1/\n</Proxy>\nProxyPass /a http://h:1/\n");
  ASSERT_EQ(c.error, "");
  const auto& p = main_proxy(c);
  ASSERT_EQ(p.workers.size(), 1u);
  ASSERT_EQ(p.balancers.size(), 1u);
  ASSERT_EQ(p.balancers[0].members.size(), 1u);
  EXPECT_EQ(p.balancers[0].members[0].name, "http://h:1/");
  EXPECT_EQ(p.workers[0].name, "http://h:1/");
  // Members are not error-ignoring; server-level workers are.
  EXPECT_EQ(p.balancers[0].members[0].params.status, 0u);
  EXPECT_EQ(p.balancers[0].members[0].balancer, "balancer://b");
}

TEST(ProxyModel, MatchWorkersAreSeparateFromPrefixWorkers) {
  const auto c = compile_text("ProxyPass /a http://h/\n"
                              "ProxyPassMatch ^/b(.*) http://h/$1\n"
                              "ProxyPassMatch ^/c(.*) http://h/$1\n"
                              "ProxyPassMatch ^/d http://h:$1/x\n");
  ASSERT_EQ(c.error, "");
  const auto& p = main_proxy(c);
  ASSERT_EQ(p.workers.size(), 3u);
  EXPECT_FALSE(p.workers[0].is_name_matchable);
  EXPECT_TRUE(p.workers[1].is_name_matchable);
  EXPECT_EQ(p.workers[1].name, "http://h/$1");
  EXPECT_TRUE(p.workers[1].params.disablereuse); // $n in the path: reuse is opt-in
  EXPECT_TRUE(p.workers[1].params.is_address_reusable);
  EXPECT_EQ(p.rules[2].worker, std::optional<std::size_t>(1)); // same URL, shared
  // Apache moves the port's $n in front of the path and unparses: "http://h" + "$1" + "/x".
  EXPECT_EQ(p.workers[2].name, "http://h$1/x");
  EXPECT_FALSE(p.workers[2].params.is_address_reusable);
  EXPECT_EQ(p.workers[2].params.address_ttl, 0);
  EXPECT_TRUE(p.rules[1].regex);
  EXPECT_EQ(p.rules[1].path, "^/b(.*)");
}

TEST(ProxyModel, BalancerAssemblyKeepsMemberOrderAndParameters) {
  const auto c =
      compile_text("<Proxy \"balancer://App\">\n"
                   "  BalancerMember http://127.0.0.1:9001 route=a loadfactor=2\n"
                   "  BalancerMember \"http://127.0.0.1:9002\" route=b status=+H\n"
                   "  ProxySet lbmethod=byrequests stickysession=ROUTEID|routeid nofailover=On\n"
                   "</Proxy>\n"
                   "ProxyPass /app/ balancer://app/ timeout=30 maxattempts=2 failonstatus=500,503\n");
  ASSERT_EQ(c.error, "");
  const auto& p = main_proxy(c);
  ASSERT_EQ(p.balancers.size(), 1u);
  const Balancer& b = p.balancers[0];
  EXPECT_EQ(b.name, "balancer://app");
  EXPECT_EQ(b.vpath, "/app/");
  ASSERT_EQ(b.members.size(), 2u);
  EXPECT_EQ(b.members[0].name, "http://127.0.0.1:9001");
  EXPECT_EQ(b.members[0].params.route, "a");
  EXPECT_EQ(b.members[0].params.lbfactor, 200);
  EXPECT_EQ(b.members[1].params.status, unsigned{kWorkerHotStandby});
  EXPECT_EQ(b.params.lbmethod, "byrequests");
  EXPECT_TRUE(b.params.lbmethod_set);
  EXPECT_EQ(b.params.sticky, "ROUTEID");
  EXPECT_EQ(b.params.sticky_path, "routeid");
  EXPECT_TRUE(b.params.sticky_force);
  EXPECT_EQ(b.params.timeout, seconds(30));
  EXPECT_EQ(b.params.max_attempts, 2);
  EXPECT_TRUE(b.params.max_attempts_set);
  EXPECT_EQ(b.params.errstatuses, (std::vector<int>{500, 503}));
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].balancer, "balancer://app");
  EXPECT_FALSE(p.rules[0].worker.has_value());
  EXPECT_TRUE(p.workers.empty());
}

TEST(ProxyModel, BalancerMemberParametersAndLookupsWithoutCopies) {
  // A repeated key (any case) keeps the last value; more words than the inline room; the balancer
  // found case-insensitively by BalancerMember outside <Proxy>; the member URL's host compared
  // case-insensitively (shared worker) but its path case-sensitively (new worker).
  const auto c = compile_text(
      "<Proxy balancer://Mixed>\n"
      "  BalancerMember http://H1:9001/p route=a retry=5 RETRY=7 lbset=1 min=1 max=9 smax=8 ttl=3 "
      "loadfactor=3 Route=z\n"
      "</Proxy>\n"
      "BalancerMember BALANCER://mixed http://h1:9001/p route=ignored\n"
      "BalancerMember balancer://mixed/x http://h1:9001/P\n");
  ASSERT_EQ(c.error, "");
  const auto& p = main_proxy(c);
  ASSERT_EQ(p.balancers.size(), 1u);
  const Balancer& b = p.balancers[0];
  EXPECT_EQ(b.name, "balancer://mixed");
  ASSERT_EQ(b.members.size(), 2u);
  const WorkerParams& w = b.members[0].params;
  EXPECT_EQ(b.members[0].name, "http://h1:9001/p");
  EXPECT_EQ(w.route, "z");
  EXPECT_EQ(w.retry, seconds(7));
  EXPECT_EQ(w.lbset, 1);
  EXPECT_EQ(w.hmax, 9);
  EXPECT_EQ(w.smax, 8);
  EXPECT_EQ(w.lbfactor, 300);
  EXPECT_EQ(b.members[1].name, "http://h1:9001/P");
  EXPECT_EQ(b.members[1].balancer, "balancer://mixed");
}

TEST(ProxyModel, BalancerMemberTakesTheBalancerFromItsProxySection) {
  // The <Proxy> path read in place (quoted, "proxy:" prefix, plain) or through the unescaping path
  // (a doubled backslash in quotes is one backslash). apache2 -t accepts all four.
  const auto c = compile_text("<Proxy \"proxy:Balancer://Quoted\">\n  BalancerMember http://h:1\n</Proxy>\n"
                              "<Proxy balancer://plain>\n  BalancerMember http://h:2\n</Proxy>\n"
                              "<Proxy \"balancer://back\\\\slash\">\n  BalancerMember http://h:3\n</Proxy>\n"
                              "<Proxy 'balancer://single' >\n  BalancerMember http://h:4\n</Proxy>\n");
  ASSERT_EQ(c.error, "");
  const auto& p = main_proxy(c);
  ASSERT_EQ(p.balancers.size(), 4u);
  EXPECT_EQ(p.balancers[0].name, "balancer://quoted");
  EXPECT_EQ(p.balancers[1].name, "balancer://plain");
  EXPECT_EQ(p.balancers[2].name, "balancer://back\\slash");
  EXPECT_EQ(p.balancers[3].name, "balancer://single");
  for (const Balancer& b : p.balancers) EXPECT_EQ(b.members.size(), 1u) << b.name;
}

TEST(ProxyModel, BalancerMemberErrorsNameTheLowerCasedBalancer) {
  const auto c = compile_text("BalancerMember BALANCER:NoSlashes http://h/\n");
  EXPECT_NE(c.error.find("BalancerMember Bad syntax for a balancer name (balancer:noslashes)"),
            std::string::npos)
      << c.error;
}

TEST(ProxyModel, BalancerDefaults) {
  const auto c = compile_text("BalancerMember balancer://b http://h/");
  ASSERT_EQ(c.error, "");
  const Balancer& b = main_proxy(c).balancers.at(0);
  EXPECT_EQ(b.params.lbmethod, "byrequests");
  EXPECT_FALSE(b.params.lbmethod_set);
  EXPECT_EQ(b.params.sticky_separator, '.');
  EXPECT_TRUE(b.params.forcerecovery);
  EXPECT_FALSE(b.params.nonce_set);
  EXPECT_EQ(b.params.growth, 0);
  EXPECT_EQ(b.vpath, "/");
}

TEST(ProxyModel, ProxySetBeforeAndAfterMembers) {
  const auto before = compile_text("<Proxy balancer://b>\nProxySet growth=3 lbmethod=byrequests\n"
                                   "BalancerMember http://h1/\nBalancerMember http://h2/\n</Proxy>");
  const auto after =
      compile_text("<Proxy balancer://b>\nBalancerMember http://h1/\nBalancerMember http://h2/\n"
                   "ProxySet growth=3 lbmethod=byrequests\n</Proxy>");
  ASSERT_EQ(before.error, "");
  ASSERT_EQ(after.error, "");
  const Balancer& b1 = main_proxy(before).balancers.at(0);
  const Balancer& b2 = main_proxy(after).balancers.at(0);
  EXPECT_EQ(b1.params, b2.params);
  EXPECT_EQ(b1.params.growth, 3);
  ASSERT_EQ(b1.members.size(), 2u);
  ASSERT_EQ(b2.members.size(), 2u);
  EXPECT_EQ(b1.members[1].name, "http://h2/");
}

TEST(ProxyModel, ProxySetOnAWorkerChangesTheSharedWorker) {
  const auto c = compile_text("ProxyPass /x http://h/\nProxySet http://h/sub retry=9\n");
  ASSERT_EQ(c.error, "");
  ASSERT_EQ(main_proxy(c).workers.size(), 1u);
  EXPECT_EQ(main_proxy(c).workers[0].params.retry, seconds(9));
}

TEST(ProxyModel, ProxySectionArgumentsConfigureTheWorker) {
  const auto c = compile_text("<Proxy http://h:8/ retry=4 route=z>\nProxyPreserveHost On\n</Proxy>\n"
                              "<Proxy balancer://q nofailover=On>\nBalancerMember http://m/\n</Proxy>");
  ASSERT_EQ(c.error, "");
  const auto& p = main_proxy(c);
  ASSERT_EQ(p.workers.size(), 1u);
  EXPECT_EQ(p.workers[0].params.retry, seconds(4));
  EXPECT_TRUE(p.workers[0].has_section);
  EXPECT_EQ(p.workers[0].section, "http://h:8/");
  ASSERT_EQ(p.balancers.size(), 1u);
  EXPECT_TRUE(p.balancers[0].params.sticky_force);
  ASSERT_EQ(c.config->main.sections.size(), 2u);
  const Section& s = c.config->main.sections[0];
  EXPECT_EQ(s.kind, SectionKind::Proxy);
  EXPECT_EQ(s.pattern, "http://h:8/");
  EXPECT_TRUE(s.conf.proxy->is_proxy_section);
  EXPECT_EQ(s.conf.proxy->preserve_host, std::optional<bool>(true));
}

TEST(ProxyModel, ProxyMatchSection) {
  const auto c = compile_text("<ProxyMatch \"^http://h/(a|b)\">\nProxyAddHeaders Off\n</ProxyMatch>\n"
                              "<Proxy http://w/*>\n</Proxy>");
  ASSERT_EQ(c.error, "");
  const auto& sections = c.config->main.sections;
  ASSERT_EQ(sections.size(), 2u);
  EXPECT_EQ(sections[0].kind, SectionKind::ProxyMatch);
  EXPECT_TRUE(sections[0].regex);
  EXPECT_EQ(sections[0].conf.proxy->add_headers, std::optional<bool>(false));
  EXPECT_TRUE(sections[1].conf.proxy->path_is_fnmatch);
}

TEST(ProxyModel, ProxyPassInLocation) {
  const auto c = compile_text(
      "<Location /x>\nProxyPass http://h/ nocanon\nProxyPassReverse http://h/\n</Location>\n"
      "<Location /w*>\nProxyPass !\n</Location>\n"
      "<Location /y>\nProxyPass http://h/a\nProxyPass balancer://bb/ lbmethod=byrequests\n</Location>");
  ASSERT_EQ(c.error, "");
  const auto& sections = c.config->main.sections;
  ASSERT_EQ(sections.size(), 3u);
  const auto& x = *sections[0].conf.proxy;
  ASSERT_TRUE(x.pass.has_value());
  EXPECT_EQ(x.pass->path, "/x");
  EXPECT_FALSE(x.pass->regex);
  EXPECT_TRUE(x.pass->flags.nocanon);
  EXPECT_EQ(x.pass->worker, std::optional<std::size_t>(0));
  ASSERT_EQ(x.reverse.size(), 1u);
  EXPECT_EQ(x.reverse[0].fake, "/x");
  EXPECT_EQ(x.reverse[0].real, "http://h/");
  // A wildcard Location path makes the rule a regex, as Apache does.
  ASSERT_TRUE(sections[1].conf.proxy->pass.has_value());
  EXPECT_TRUE(sections[1].conf.proxy->pass->regex);
  EXPECT_TRUE(sections[1].conf.proxy->pass->exclusion);
  // One ProxyPass per Location: the last one wins.
  ASSERT_TRUE(sections[2].conf.proxy->pass.has_value());
  EXPECT_EQ(sections[2].conf.proxy->pass->balancer, "balancer://bb");
  EXPECT_EQ(main_proxy(c).balancers.at(0).vpath, "/y");
  // Location rules stay out of the server-level list.
  EXPECT_TRUE(main_proxy(c).rules.empty());
}

TEST(ProxyModel, RulesKeepConfigOrderAndFlags) {
  const auto c = compile_text("ProxyPass /static !\n"
                              "ProxyPass ~ ^/r(.*) http://h/$1 noquery\n"
                              "ProxyPass /app http://h/app mapping=encoded interpolate\n"
                              "ProxyPass /u unix:/run/s.sock|http://localhost/\n");
  ASSERT_EQ(c.error, "");
  const auto& r = main_proxy(c).rules;
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(r[0].exclusion);
  EXPECT_FALSE(r[0].worker.has_value());
  EXPECT_TRUE(r[1].regex);
  EXPECT_TRUE(r[1].flags.noquery);
  EXPECT_TRUE(r[2].flags.map_encoded);
  EXPECT_TRUE(r[2].flags.interpolate);
  EXPECT_EQ(r[3].url, "http://localhost/");
  EXPECT_EQ(main_proxy(c).workers.at(*r[3].worker).uds_path, "/run/s.sock");
  EXPECT_TRUE(main_proxy(c).map_encoded_one);
  EXPECT_FALSE(main_proxy(c).map_encoded_all);
}

TEST(ProxyModel, ReverseAndCookieRules) {
  const auto c = compile_text("ProxyPassReverse /a/ http://h/ interpolate\n"
                              "ProxyPassReverseCookiePath /app/ /a/\n"
                              "ProxyPassReverseCookieDomain backend.example public.example\n");
  ASSERT_EQ(c.error, "");
  const auto& d = *c.config->main.dir.proxy;
  ASSERT_EQ(d.reverse.size(), 1u);
  EXPECT_EQ(d.reverse[0].fake, "/a/");
  EXPECT_EQ(d.reverse[0].real, "http://h/");
  EXPECT_TRUE(d.reverse[0].interpolate);
  ASSERT_EQ(d.cookie_paths.size(), 1u);
  EXPECT_EQ(d.cookie_paths[0].fake, "/app/");
  EXPECT_EQ(d.cookie_paths[0].real, "/a/");
  ASSERT_EQ(d.cookie_domains.size(), 1u);
  EXPECT_FALSE(d.cookie_domains[0].interpolate);
}

TEST(ProxyModel, ServerFlags) {
  const auto c =
      compile_text("ProxyRequests Off\nProxyVia Full\nProxyBadHeader Ignore\nProxyStatus On\n"
                   "ProxyMaxForwards 5\nBalancerGrowth 7\nBalancerPersist On\nBalancerInherit Off\n"
                   "ProxyPassInherit Off\nProxyReceiveBufferSize 2048\nProxySourceAddress 127.0.0.1\n"
                   "ProxyErrorOverride On 503 404 500\nProxyPreserveHost On\nProxyAddHeaders Off\n"
                   "Proxy100Continue Off\n");
  ASSERT_EQ(c.error, "");
  const auto& p = main_proxy(c);
  EXPECT_EQ(p.requests, std::optional<bool>(false));
  EXPECT_EQ(p.via, std::optional<ProxyVia>(ProxyVia::Full));
  EXPECT_EQ(p.bad_header, std::optional<ProxyBadHeader>(ProxyBadHeader::Ignore));
  EXPECT_EQ(p.status, std::optional<ProxyStatusOpt>(ProxyStatusOpt::On));
  EXPECT_EQ(p.max_forwards, std::optional<long>(5));
  EXPECT_EQ(p.balancer_growth, std::optional<int>(7));
  EXPECT_TRUE(p.balancer_persist);
  EXPECT_EQ(p.balancer_inherit, std::optional<bool>(false));
  EXPECT_EQ(p.pass_inherit, std::optional<bool>(false));
  EXPECT_EQ(p.recv_buffer_size, std::optional<int>(2048));
  EXPECT_EQ(p.source_address, std::optional<std::string>("127.0.0.1"));
  const auto& d = *c.config->main.dir.proxy;
  EXPECT_EQ(d.error_override, std::optional<bool>(true));
  EXPECT_EQ(d.error_override_codes, (std::vector<int>{404, 500, 503}));
  EXPECT_EQ(d.preserve_host, std::optional<bool>(true));
  EXPECT_EQ(d.add_headers, std::optional<bool>(false));
  EXPECT_EQ(d.continue_100, std::optional<bool>(false));
}

TEST(ProxyModel, VirtualHostsHaveTheirOwnWorkersAndBalancers) {
  const auto c = compile_text("ProxyPass /a http://h/ retry=3\n"
                              "<VirtualHost *:80>\n"
                              "ProxyPass /a http://h/ retry=4\n"
                              "<Proxy balancer://v>\nBalancerMember http://m/\n</Proxy>\n"
                              "</VirtualHost>\n");
  ASSERT_EQ(c.error, "");
  ASSERT_EQ(c.config->vhosts.size(), 1u);
  const auto& v = c.config->vhosts[0].proxy;
  ASSERT_EQ(v.workers.size(), 1u);
  EXPECT_EQ(v.workers[0].params.retry, seconds(4));
  EXPECT_EQ(main_proxy(c).workers.at(0).params.retry, seconds(3));
  EXPECT_EQ(v.balancers.size(), 1u);
  EXPECT_TRUE(main_proxy(c).balancers.empty());
}

TEST(ProxyModel, HealthCheckTemplatesAndExpressions) {
  const auto c =
      compile_text("ProxyHCExpr ok234 {%{REQUEST_STATUS} =~ /^[234]/}\n"
                   "ProxyHCTemplate tpl hcmethod=GET hcuri=/health hcexpr=ok234 hcinterval=10 hcpasses=2\n"
                   "<Proxy balancer://b>\nBalancerMember http://h/ hctemplate=TPL hcfails=4\n</Proxy>",
                   true);
  ASSERT_EQ(c.error, "");
  const auto& p = main_proxy(c);
  ASSERT_EQ(p.hc_conditions.size(), 1u);
  EXPECT_EQ(p.hc_conditions[0].expr, "%{REQUEST_STATUS} =~ /^[234]/");
  ASSERT_EQ(p.hc_templates.size(), 1u);
  const HealthCheckParams& hc = p.balancers.at(0).members.at(0).params.hc;
  EXPECT_EQ(hc.method, HcMethod::Get);
  EXPECT_EQ(hc.uri, "/health");
  EXPECT_EQ(hc.expr, "ok234");
  EXPECT_EQ(hc.interval, seconds(10));
  EXPECT_EQ(hc.passes, 2);
  EXPECT_EQ(hc.fails, 4);
}

TEST(ProxyModel, TemplateStartsWithTcp) {
  const auto c = compile_text("ProxyHCTemplate t hcuri=/x\nProxyPass /a http://h/ hctemplate=t", true);
  ASSERT_EQ(c.error, "");
  EXPECT_EQ(main_proxy(c).workers.at(0).params.hc.method, HcMethod::Tcp);
}

TEST(ProxyModel, CompilingTwiceGivesEqualModels) {
  const std::string text =
      "<Proxy balancer://b>\nBalancerMember http://h1/ route=1\nBalancerMember http://h1/x\n"
      "</Proxy>\nProxyPass /a balancer://b/\nProxyPass /c http://h2/\nProxyPass /d http://h2/z\n"
      "<Location /l>\nProxyPass http://h2/\n</Location>\n";
  const auto a = compile_text(text);
  const auto b = compile_text(text);
  ASSERT_EQ(a.error, "");
  ASSERT_EQ(b.error, "");
  const ProxyServerConf& pa = a.config->main.proxy;
  const ProxyServerConf& pb = b.config->main.proxy;
  // File names differ between the two temp trees; compare with them blanked.
  auto strip = [](ProxyServerConf p) {
    for (auto& w : p.workers) w.file.clear();
    for (auto& bal : p.balancers) {
      bal.file.clear();
      for (auto& m : bal.members) m.file.clear();
    }
    for (auto& r : p.rules) r.file.clear();
    return p;
  };
  EXPECT_EQ(strip(pa), strip(pb));
  EXPECT_EQ(pa.workers.size(), 1u);
  EXPECT_EQ(pa.balancers.at(0).members.size(), 1u);
}

TEST(ProxyModel, DebugLogShowsMemberDefinitions) {
  // As fixture 40 of configtest-captures.md: LogLevel proxy:debug prints AH01147/AH01148 per member.
  const auto c =
      compile_text("LogLevel warn proxy:debug\n<Proxy balancer://app>\n"
                   "BalancerMember http://127.0.0.1:9001 route=a\nBalancerMember http://127.0.0.1:9001/x\n"
                   "</Proxy>");
  ASSERT_EQ(c.error, "");
  std::vector<std::string> lines;
  for (const auto& r : c.logs)
    if (r.module == "proxy") lines.push_back(r.level + " " + r.text);
  const std::vector<std::string> want = {
      "debug mod_proxy.c(2674): AH01147: Defining worker 'http://127.0.0.1:9001' for balancer "
      "'balancer://app'",
      "debug mod_proxy.c(2679): AH01148: Defined worker 'http://127.0.0.1:9001' for balancer "
      "'balancer://app'",
      "info AH01149: Sharing worker 'http://127.0.0.1:9001' instead of creating new worker "
      "'http://127.0.0.1:9001/x'",
  };
  EXPECT_EQ(lines, want);
}

} // namespace

namespace {

using balancerd::directives::proxy::merge_server_conf;

// Checked on a running apache2 2.4.71: with "ProxyPass /a http://127.0.0.1:1/" in the main server and
// "ProxyPass /a !" plus "ProxyPassInherit Off" in the vhost, GET /a still got 503 (the main rule won)
// and the main server's other rules still applied.
TEST(ProxyMerge, MainServerRulesComeFirstEvenWithProxyPassInheritOff) {
  const auto c =
      compile_text("ProxyPass /a http://m/\nProxyPass /b http://m/b\n"
                   "<VirtualHost *:80>\nProxyPass /a !\nProxyPass /c http://v/\nProxyPassInherit Off\n"
                   "</VirtualHost>");
  ASSERT_EQ(c.error, "");
  const ProxyServerConf merged = merge_server_conf(c.config->main.proxy, c.config->vhosts.at(0).proxy);
  ASSERT_EQ(merged.rules.size(), 4u);
  EXPECT_EQ(merged.rules[0].path, "/a");
  EXPECT_FALSE(merged.rules[0].exclusion);
  EXPECT_EQ(merged.rules[1].path, "/b");
  EXPECT_TRUE(merged.rules[2].exclusion);
  EXPECT_EQ(merged.rules[3].path, "/c");
  // Workers still inherited (BalancerInherit defaults to On); the vhost's index is rebased.
  ASSERT_EQ(merged.workers.size(), 2u);
  EXPECT_EQ(merged.workers.at(*merged.rules[3].worker).name, "http://v/");
  EXPECT_EQ(merged.workers.at(*merged.rules[1].worker).name, "http://m/");
  EXPECT_EQ(merged.pass_inherit, std::optional<bool>(false));
}

TEST(ProxyMerge, WithoutAnyInheritanceMainRulesLoseTheirWorker) {
  const auto c =
      compile_text("ProxyPass /a http://m/\n<VirtualHost *:80>\nBalancerInherit Off\nProxyPassInherit Off\n"
                   "ProxyPass /c http://v/\n</VirtualHost>");
  ASSERT_EQ(c.error, "");
  const ProxyServerConf merged = merge_server_conf(c.config->main.proxy, c.config->vhosts.at(0).proxy);
  ASSERT_EQ(merged.workers.size(), 1u);
  ASSERT_EQ(merged.rules.size(), 2u);
  EXPECT_FALSE(merged.rules[0].worker.has_value());
  EXPECT_EQ(merged.rules[1].worker, std::optional<std::size_t>(0));
}

// Checked on a running apache2: a vhost redefining balancer://b with its own member still sent the
// requests to the main server's member.
TEST(ProxyMerge, RedefinedBalancerKeepsMainMembersAndVhostParameters) {
  const auto c =
      compile_text("<Proxy balancer://b>\nBalancerMember http://m1/\nProxySet stickysession=S "
                   "failonstatus=500 growth=2\n</Proxy>\n<Proxy balancer://only>\nBalancerMember http://o/\n"
                   "</Proxy>\n<VirtualHost *:80>\n<Proxy balancer://b>\nBalancerMember http://v1/\n"
                   "ProxySet failonstatus=503 nofailover=On\n</Proxy>\nProxyPass /b balancer://b/\n"
                   "</VirtualHost>");
  ASSERT_EQ(c.error, "");
  const ProxyServerConf merged = merge_server_conf(c.config->main.proxy, c.config->vhosts.at(0).proxy);
  ASSERT_EQ(merged.balancers.size(), 2u);
  EXPECT_EQ(merged.balancers[0].name, "balancer://only");
  const Balancer& b = merged.balancers[1];
  EXPECT_EQ(b.name, "balancer://b");
  ASSERT_EQ(b.members.size(), 1u);
  EXPECT_EQ(b.members[0].name, "http://m1/");
  EXPECT_EQ(b.params.sticky, "S");
  EXPECT_TRUE(b.params.sticky_force);
  EXPECT_EQ(b.params.growth, 2);
  EXPECT_EQ(b.params.errstatuses, (std::vector<int>{503, 500}));
  EXPECT_EQ(b.vpath, "/b"); // the ProxyPass path that mounted it
}

TEST(ProxyMerge, ScalarsFromTheVhostWhenSet) {
  const auto c =
      compile_text("ProxyTimeout 9\nProxyVia On\nBalancerPersist On\n<VirtualHost *:80>\nProxyVia Off\n"
                   "</VirtualHost>");
  ASSERT_EQ(c.error, "");
  const ProxyServerConf merged = merge_server_conf(c.config->main.proxy, c.config->vhosts.at(0).proxy);
  EXPECT_EQ(merged.timeout, Micros(seconds(9)));
  EXPECT_EQ(merged.via, std::optional<ProxyVia>(ProxyVia::Off));
  EXPECT_FALSE(merged.balancer_persist); // not inherited, as in Apache
}

} // namespace

namespace {

using balancerd::directives::proxy::startup_errors;
using balancerd::directives::proxy::StartupMessage;

// The outputs below are what apache2 2.4.71 logged when started (apache2 -t said Syntax OK).
TEST(ProxyStartup, BalancerWithoutSlotmem) {
  const std::string modules = "/usr/lib/apache2/modules/";
  proxy_test::TempTree tree;
  // compile_text's base loads slotmem_shm; build a config without it by hand.
  const std::string conf = tree.write(
      "x.conf", "ServerRoot " + tree.dir() + "\nServerName localhost\nLoadModule mpm_event_module " +
                    modules + "mod_mpm_event.so\nLoadModule proxy_module " + modules + "mod_proxy.so\n" +
                    "LoadModule proxy_balancer_module " + modules + "mod_proxy_balancer.so\n");
  const auto config = proxy_test::compile_file(tree, conf);
  const std::vector<StartupMessage> want = {
      {"proxy_balancer", "emerg",
       "AH01177: Failed to lookup provider 'shm' for 'slotmem': is mod_slotmem_shm loaded??"}};
  EXPECT_EQ(startup_errors(*config), want);
}

TEST(ProxyStartup, DefaultLbmethodNotLoaded) {
  // The base loads lbmethod_byrequests; a vhost balancer set to it starts, one left without fails only
  // when byrequests is missing, which needs a base without it: use bybusyness as the only method.
  const auto ok = compile_text("<Proxy balancer://b>\nBalancerMember http://h/\n</Proxy>");
  ASSERT_EQ(ok.error, "");
  EXPECT_TRUE(startup_errors(*ok.config).empty());

  proxy_test::TempTree tree;
  const std::string modules = "/usr/lib/apache2/modules/";
  std::string text = "ServerRoot " + tree.dir() + "\nServerName localhost\n";
  for (const char* m : {"mpm_event", "proxy", "slotmem_shm", "proxy_balancer"})
    text += "LoadModule " + std::string(m) + "_module " + modules + "mod_" + m + ".so\n";
  text += "<VirtualHost *:80>\nBalancerMember balancer://v http://h/\n</VirtualHost>\n";
  const std::string conf = tree.write("x.conf", text);
  const auto config = proxy_test::compile_file(tree, conf);
  const std::vector<StartupMessage> want = {
      {"proxy", "crit", "AH02432: Cannot find LB Method: byrequests"},
      {"proxy_balancer", "emerg", "(22)Invalid argument: AH01183: Cannot share balancer"}};
  EXPECT_EQ(startup_errors(*config), want);
}

TEST(ProxyStartup, NoBalancerModuleNoChecks) {
  proxy_test::TempTree tree;
  const std::string modules = "/usr/lib/apache2/modules/";
  const std::string conf = tree.write(
      "x.conf", "ServerRoot " + tree.dir() + "\nServerName localhost\nLoadModule mpm_event_module " +
                    modules + "mod_mpm_event.so\nLoadModule proxy_module " + modules +
                    "mod_proxy.so\nBalancerMember balancer://b http://h/\nProxyPass /b balancer://b/\n");
  EXPECT_TRUE(startup_errors(*proxy_test::compile_file(tree, conf)).empty());
}

} // namespace
