// The small parsers mod_proxy's checks rest on: APR's URI parser and wildcard test, the "unix:" form,
// Apache's time-with-unit parser and C's number conversions.
#include "directives/modules/proxy_numbers.hpp"
#include "directives/modules/proxy_params.hpp"
#include "directives/modules/proxy_url.hpp"
#include "directives/modules/proxy_workers.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace {

using namespace balancerd::directives;
using namespace balancerd::directives::proxy;
using std::chrono::microseconds;

TEST(ProxyUri, FullUrl) {
  const auto u = parse_uri("http://u:p@Host:8080/a/b?q=1#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->user, "u");
  EXPECT_EQ(u->password, "p");
  EXPECT_EQ(u->hostname, "Host");
  EXPECT_EQ(u->port_str, "8080");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/a/b");
  EXPECT_EQ(u->query, "q=1");
  EXPECT_EQ(u->fragment, "frag");
}

TEST(ProxyUri, RelativeAndSchemeOnlyForms) {
  EXPECT_FALSE(parse_uri("not-a-url")->scheme.has_value());
  EXPECT_EQ(parse_uri("h:1")->scheme, "h");
  EXPECT_FALSE(parse_uri("h:1")->hostname.has_value());
  EXPECT_FALSE(parse_uri("1h:x").has_value());  // ':' in the first segment of a relative path
  EXPECT_EQ(parse_uri("//h/x")->hostname, "h"); // network-path reference
  EXPECT_FALSE(parse_uri("///x")->hostname.has_value());
  EXPECT_EQ(parse_uri("http:///x")->hostname, "");
}

TEST(ProxyUri, Ports) {
  EXPECT_FALSE(parse_uri("http://h:abc/").has_value());
  EXPECT_EQ(parse_uri("http://h:/")->port, 80);         // empty port: the scheme's
  EXPECT_EQ(parse_uri("http://h:99999/")->port, 34463); // APR keeps the low 16 bits
  EXPECT_EQ(parse_uri("http://[::1]:81/")->hostname, "::1");
  EXPECT_EQ(parse_uri("http://[::1]:81/")->port, 81);
  EXPECT_FALSE(parse_uri("http://[::1/").has_value());
}

TEST(ProxyUri, DefaultPorts) {
  EXPECT_EQ(apr_port_of_scheme("https"), 443);
  EXPECT_EQ(apr_port_of_scheme("ajp"), 0);
  EXPECT_EQ(proxy_port_of_scheme("ajp"), 8009);
  EXPECT_EQ(proxy_port_of_scheme("wss"), 443);
  EXPECT_EQ(proxy_port_of_scheme("FCGI"), 8000);
}

TEST(ProxyUri, DeSocketfy) {
  EXPECT_EQ(de_socketfy("http://h/"), "http://h/");
  EXPECT_EQ(de_socketfy("unix:/run/a.sock|http://h/x"), "http://h/x");
  EXPECT_EQ(de_socketfy("UNIX:/s|fcgi:"), "fcgi://localhost");
  EXPECT_EQ(de_socketfy("unix:/s|http://"), "http://localhost");
  EXPECT_FALSE(de_socketfy("unix:/s|nothing").has_value());
  EXPECT_EQ(de_socketfy("unix:/s"), "unix:/s");
}

TEST(ProxyUri, FnmatchTest) {
  EXPECT_TRUE(fnmatch_test("/x*"));
  EXPECT_TRUE(fnmatch_test("/x?"));
  EXPECT_TRUE(fnmatch_test("/[ab]"));
  EXPECT_FALSE(fnmatch_test("/x["));
  EXPECT_FALSE(fnmatch_test("/x]"));
  EXPECT_FALSE(fnmatch_test("/x\\*"));
  EXPECT_FALSE(fnmatch_test("^/a"));
}

TEST(ProxyUri, BalancerNames) {
  EXPECT_TRUE(is_balancer_url("BALANCER://x"));
  EXPECT_TRUE(is_balancer_url("balancer:/x"));
  EXPECT_FALSE(is_balancer_url("balancerx://x"));
  EXPECT_EQ(balancer_key("balancer://App/path"), "balancer://app");
  EXPECT_FALSE(balancer_key("balancer://").has_value());
  EXPECT_FALSE(balancer_key("balancer:/zz").has_value());
  EXPECT_EQ(lower_site_part("HTTP://Host:1/Path"), "http://host:1/Path");
}

TEST(ProxyNumbers, CConversions) {
  EXPECT_EQ(c_atoi("12abc"), 12);
  EXPECT_EQ(c_atoi("abc"), 0);
  EXPECT_EQ(c_atoi("  -7"), -7);
  EXPECT_EQ(c_atoi("4294967297"), 1); // strtol then truncation to int, as glibc's atoi
  EXPECT_EQ(c_atol("4294967297"), 4294967297L);
  EXPECT_DOUBLE_EQ(c_atof("1.5x"), 1.5);
}

TEST(ProxyNumbers, TimeoutParameter) {
  EXPECT_EQ(parse_timeout("5", "s"), microseconds(5000000));
  EXPECT_EQ(parse_timeout("5", "ms"), microseconds(5000));
  EXPECT_EQ(parse_timeout("5ms", "s"), microseconds(5000));
  EXPECT_EQ(parse_timeout("2mi", "s"), microseconds(120000000));
  EXPECT_EQ(parse_timeout("2min", "s"), microseconds(120000000));
  EXPECT_EQ(parse_timeout("1h", "ms"), microseconds(3600000000LL));
  EXPECT_EQ(parse_timeout("", "s"), microseconds(0));
  EXPECT_FALSE(parse_timeout("-1", "s").has_value());
  EXPECT_FALSE(parse_timeout("5m", "s").has_value());
  EXPECT_FALSE(parse_timeout("x", "s").has_value());
  EXPECT_FALSE(parse_timeout("99999999999999999999", "s").has_value());
  EXPECT_FALSE(parse_timeout("9223372036855", "s").has_value()); // overflow check before scaling
}

TEST(ProxyParams, TableKeepsFirstPositionAndLastValue) {
  ParamList p;
  table_set(p, "retry", "1");
  table_set(p, "lbset", "2");
  table_set(p, "RETRY", "3");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].first, "retry");
  EXPECT_EQ(p[0].second, "3");
}

TEST(ProxyParams, StatusLetters) {
  ParamContext ctx;
  WorkerParams w;
  EXPECT_FALSE(set_worker_param(w, "status", "D+h-d", ctx).has_value());
  EXPECT_EQ(w.status, unsigned{kWorkerHotStandby});
  EXPECT_EQ(set_worker_param(w, "status", "+D-", ctx),
            std::optional<std::string>("Unknown status parameter option"));
}

TEST(ProxyParams, LbmethodMustBeLoaded) {
  ParamContext ctx;
  ctx.lbmethods = {"byrequests", "bybusyness"};
  BalancerParams b;
  EXPECT_FALSE(set_balancer_param(b, "lbmethod", "bybusyness", ctx).has_value());
  EXPECT_EQ(b.lbmethod, "bybusyness");
  EXPECT_EQ(set_balancer_param(b, "lbmethod", "bytraffic", ctx),
            std::optional<std::string>("unknown lbmethod"));
  EXPECT_EQ(lbmethod_of_module("mod_lbmethod_heartbeat.c"), "heartbeat");
}

TEST(ProxyParams, StickySessionSplitsCookieAndPathNames) {
  ParamContext ctx;
  BalancerParams b;
  EXPECT_FALSE(set_balancer_param(b, "stickysession", "JSESSIONID|jsessionid", ctx).has_value());
  EXPECT_EQ(b.sticky, "JSESSIONID");
  EXPECT_EQ(b.sticky_path, "jsessionid");
  EXPECT_FALSE(set_balancer_param(b, "stickysessionsep", "off", ctx).has_value());
  EXPECT_EQ(b.sticky_separator, '\0');
  EXPECT_FALSE(set_balancer_param(b, "nonce", "None", ctx).has_value());
  EXPECT_TRUE(b.nonce_set);
  EXPECT_EQ(b.nonce, "");
}

TEST(ProxyWorkers, SharingIsLongestPrefixWithinOneList) {
  ProxyServerConf conf;
  Worker a, b;
  ASSERT_FALSE(make_worker("http://h/", kPrefix, false, a).has_value());
  ASSERT_FALSE(make_worker("http://h/app/", kPrefix, false, b).has_value());
  conf.workers = {a, b};
  EXPECT_EQ(find_worker(conf, nullptr, "http://H/app/x", kPrefix), &conf.workers[1]);
  EXPECT_EQ(find_worker(conf, nullptr, "http://h/other", kPrefix), &conf.workers[0]);
  EXPECT_EQ(find_worker(conf, nullptr, "http://h", kPrefix), nullptr);
  EXPECT_EQ(find_worker(conf, nullptr, "http://h/app/x", kMatch), nullptr);
  EXPECT_EQ(find_worker(conf, nullptr, "unix:/s|http://h/z", kPrefix), &conf.workers[0]);
}

TEST(ProxyWorkers, MatchWorkerNamesMatchWithSubstitutions) {
  ProxyServerConf conf;
  Worker m;
  ASSERT_FALSE(make_worker("http://h/$1", kMatch, false, m).has_value());
  conf.workers = {m};
  EXPECT_EQ(find_worker(conf, nullptr, "http://h/$1", kMatch), &conf.workers[0]);
  EXPECT_EQ(find_worker(conf, nullptr, "http://h/$1", kPrefix), nullptr);
}

TEST(ProxyWorkers, UnixSocketWorker) {
  Worker w;
  ASSERT_FALSE(make_worker("unix:/run/app.sock|http://localhost/", kPrefix, false, w).has_value());
  EXPECT_EQ(w.uds_path, "/run/app.sock");
  EXPECT_EQ(w.name, "http://localhost/");
  EXPECT_EQ(worker_display_name(w), "unix:/run/app.sock|http://localhost/");
  Worker bare;
  ASSERT_FALSE(make_worker("unix:/run/app.sock|http:", kPrefix, false, bare).has_value());
  EXPECT_EQ(bare.hostname, "localhost");
}

} // namespace
