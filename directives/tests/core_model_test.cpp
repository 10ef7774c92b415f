// What the core handlers write into the model, that two compilations give equal models, and that
// a large configuration compiles in linear time.
#include "directives/tests/compile_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace balancerd::directives::testing {
namespace {

const char* const model_conf = R"(Include <T>/base.conf
ServerName https://main.example:8443
ServerAdmin admin@example.com
DocumentRoot <T>/root
Listen [::1]:28091
Listen 28092 https
Timeout 30
KeepAlive Off
KeepAliveTimeout 500ms
MaxKeepAliveRequests 7
LimitRequestLine 4000
TraceEnable extended
ServerTokens Prod
ServerSignature EMail
Protocols h2 HTTP/1.1
LogLevel warn authz_core:debug
User www-data
ThreadsPerChild 10
MaxRequestWorkers 40
<VirtualHost 127.0.0.1:28080 *:28081 [::1]>
  ServerName vhost.example
  ServerAlias a.example *.wild.example
  <Location /a>
    <If "%{REQUEST_METHOD} == 'GET'">
    </If>
    <Else>
    </Else>
  </Location>
  <LocationMatch "^/b">
  </LocationMatch>
</VirtualHost>
<Directory ~ "^/srv">
  Options -Indexes
  <Files x.txt>
  </Files>
</Directory>
)";

TEST(CoreModel, HandlersFillTypedValues) {
  FixtureTree tree;
  const Outcome out = compile_fixture(tree, "model", model_conf);
  ASSERT_TRUE(out.ok) << out.error;
  const Config& c = *out.result.config;
  const CoreServerConf& core = c.main.core;
  EXPECT_EQ(c.server_root, tree.dir() + "/root");
  EXPECT_EQ(core.server_name, "main.example");
  EXPECT_EQ(core.server_scheme, "https");
  EXPECT_EQ(core.server_port, 8443);
  EXPECT_EQ(core.server_admin, "admin@example.com");
  EXPECT_EQ(core.document_root, tree.dir() + "/root");
  ASSERT_EQ(core.listeners.size(), 3u);
  EXPECT_EQ(core.listeners[0].host, "127.0.0.1");
  EXPECT_EQ(core.listeners[0].port, 28080);
  EXPECT_EQ(core.listeners[1].host, "::1");
  EXPECT_EQ(core.listeners[1].port, 28091);
  EXPECT_EQ(core.listeners[2].host, "");
  EXPECT_EQ(core.listeners[2].protocol, "https");
  EXPECT_EQ(core.timeout, std::chrono::seconds(30));
  EXPECT_EQ(core.keep_alive, false);
  EXPECT_EQ(core.keep_alive_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(core.max_keep_alive_requests, 7);
  EXPECT_EQ(core.limit_request_line, 4000);
  EXPECT_EQ(core.trace_enable, "extended");
  EXPECT_EQ(core.server_tokens, "Prod");
  EXPECT_EQ(c.main.dir.core->server_signature, "email");
  EXPECT_EQ(core.protocols, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(c.main.dir.core->log_level.level, 4);
  EXPECT_EQ(c.main.dir.core->log_level.modules.at("authz_core_module"), 7);
  EXPECT_EQ(core.user, "www-data");
  EXPECT_EQ(core.mpm, "event");
  EXPECT_EQ(core.mpm_conf.max_request_workers, 40);
  EXPECT_EQ(core.pid_file, tree.dir() + "/run/httpd.pid");
  EXPECT_EQ(core.error_log, tree.dir() + "/run/error.log");

  ASSERT_EQ(c.vhosts.size(), 1u);
  const ServerConf& v = c.vhosts[0];
  EXPECT_TRUE(v.is_vhost);
  EXPECT_EQ(v.line, 20u);
  ASSERT_EQ(v.core.addresses.size(), 3u);
  EXPECT_EQ(v.core.addresses[0].host, "127.0.0.1");
  EXPECT_EQ(v.core.addresses[0].port, 28080);
  EXPECT_EQ(v.core.addresses[1].host, "*");
  EXPECT_EQ(v.core.addresses[2].host, "::1");
  EXPECT_EQ(v.core.addresses[2].port, std::nullopt);
  EXPECT_EQ(v.core.aliases, (std::vector<std::string>{"a.example", "*.wild.example"}));
  ASSERT_EQ(v.sections.size(), 2u);
  EXPECT_EQ(v.sections[0].kind, SectionKind::Location);
  EXPECT_EQ(v.sections[0].pattern, "/a");
  ASSERT_EQ(v.sections[0].nested.size(), 2u);
  EXPECT_EQ(v.sections[0].nested[0].kind, SectionKind::If);
  EXPECT_EQ(v.sections[0].nested[0].pattern, "%{REQUEST_METHOD} == 'GET'");
  EXPECT_EQ(v.sections[0].nested[1].kind, SectionKind::Else);
  EXPECT_EQ(v.sections[1].kind, SectionKind::LocationMatch);
  EXPECT_TRUE(v.sections[1].regex);

  ASSERT_EQ(c.main.sections.size(), 1u);
  const Section& d = c.main.sections[0];
  EXPECT_EQ(d.kind, SectionKind::DirectoryMatch);
  EXPECT_EQ(d.pattern, "^/srv");
  EXPECT_EQ(d.conf.core->options, "-Indexes");
  ASSERT_EQ(d.nested.size(), 1u);
  EXPECT_EQ(d.nested[0].kind, SectionKind::Files);
  EXPECT_EQ(d.nested[0].pattern, "x.txt");
}

TEST(CoreModel, SameConfigGivesEqualModels) {
  FixtureTree tree;
  const Outcome a = compile_fixture(tree, "model", model_conf);
  const Outcome b = compile_fixture(tree, "model", model_conf);
  ASSERT_TRUE(a.ok && b.ok);
  const Config& x = *a.result.config;
  const Config& y = *b.result.config;
  EXPECT_EQ(x.main.core, y.main.core);
  EXPECT_EQ(*x.main.dir.core, *y.main.dir.core);
  ASSERT_EQ(x.vhosts.size(), y.vhosts.size());
  for (std::size_t i = 0; i < x.vhosts.size(); ++i) EXPECT_EQ(x.vhosts[i].core, y.vhosts[i].core);
  EXPECT_EQ(x.modules.size(), y.modules.size());
  EXPECT_EQ(x.defines, y.defines);
}

TEST(CoreModel, TenThousandVhostsCompile) {
  FixtureTree tree;
  std::string text = "Include <T>/base.conf\nServerName localhost\n";
  for (int i = 0; i < 10000; ++i) {
    const std::string n = std::to_string(i);
    text += "<VirtualHost *:28080>\n  ServerName host" + n + ".example\n  ServerAlias alias" + n +
            ".example\n  KeepAliveTimeout 5\n  <Location /app" + n +
            ">\n    Options None\n  </Location>\n"
            "</VirtualHost>\n";
  }
  const Outcome out = compile_fixture(tree, "many", text);
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.result.config->vhosts.size(), 10000u);
  EXPECT_EQ(*out.result.config->vhosts[9999].core.server_name, "host9999.example");
  // Its speed is measured by tools/bench/configtest (a timed unit test would be flaky under load).
}

TEST(CoreModel, UnknownModuleLoadsWithAWarning) {
  FixtureTree tree;
  tree.write("mod_custom.so", std::string("\x7f"
                                          "ELF") +
                                  std::string(60, '\0'));
  const Outcome out =
      compile_fixture(tree, "custom",
                      "Include <T>/base.conf\nServerName localhost\nLoadModule custom_module "
                      "<T>/mod_custom.so\n<IfModule custom_module>\nError \"seen\"\n</IfModule>\n");
  EXPECT_EQ(out.error, tree.expand("AH00526: Syntax error on line 5 of <T>/c/custom.conf:\nseen"));
  ASSERT_FALSE(out.logs.empty());
  EXPECT_NE(out.logs[0].text.find("custom_module"), std::string::npos);
  EXPECT_NE(out.logs[0].text.find("not known to balancerd"), std::string::npos);
}

TEST(CoreModel, ModuleNeedingAnotherFailsLikeDlopen) {
  FixtureTree tree;
  const Outcome out =
      compile_fixture(tree, "dep",
                      "Include <T>/base.conf\nServerName localhost\nLoadModule proxy_http_module "
                      "/usr/lib/apache2/modules/mod_proxy_http.so\n");
  EXPECT_EQ(out.error, tree.expand("apache2: Syntax error on line 3 of <T>/c/dep.conf: Cannot load "
                                   "/usr/lib/apache2/modules/mod_proxy_http.so into server: "
                                   "/usr/lib/apache2/modules/mod_proxy_http.so: undefined symbol: "
                                   "ap_proxy_location_reverse_map"));
}

TEST(CoreModel, TraceLevelLogsConfigTimeLines) {
  FixtureTree tree;
  const Outcome out =
      compile_fixture(tree, "trace", "Include <T>/base.conf\nServerName localhost\nLogLevel core:trace3\n");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.texts(), std::vector<std::string>{
                             "[core:trace3] core.c(3517): Setting LogLevel for module core.c to trace3"});
}

} // namespace
} // namespace balancerd::directives::testing
