// Start-up with a server that has SSLEngine on (runtime/tls_guard.hpp): balancerd does not terminate
// TLS toward clients, so it warns for each such server, naming it and the SSLEngine's file:line, and
// refuses to start unless -D BALANCERD_ALLOW_PLAINTEXT_TLS was given.
#include "server/runtime/tls_guard.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "directives/compile.hpp"
#include "directives/diagnostics.hpp"
#include "directives/registry.hpp"
#include "server/log/log_set.hpp"

namespace balancerd::runtime {
namespace {

class TlsGuard : public ::testing::Test {
protected:
  void SetUp() override {
    if (directives::http_family_bindings("mod_ssl.c").empty()) ADD_FAILURE() << "mod_ssl handlers not linked";
    std::string tmpl = (std::filesystem::temp_directory_path() / "bd-tls-guard-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::shared_ptr<const directives::Config> compile(const std::string& text) {
    std::string conf = "ServerRoot " + dir_ + "\nPidFile " + dir_ + "/httpd.pid\nErrorLog " + dir_ +
                       "/error.log\nServerName localhost\n";
    for (const char* m : {"mpm_event", "authz_core", "socache_shmcb", "ssl"})
      conf += std::string("LoadModule ") + m + "_module /usr/lib/apache2/modules/mod_" + m + ".so\n";
    conf += "Listen 127.0.0.1:28443\n" + text;
    conf_ = dir_ + "/test.conf";
    std::ofstream(conf_) << conf;
    parser::ReadOptions options;
    options.server_root = dir_;
    options.config_file = conf_;
    directives::Diagnostics diagnostics("apache2");
    return directives::compile_config(options, diagnostics).config;
  }
  std::string error_log() const {
    std::ifstream in(dir_ + "/error.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_, conf_;
};

// Lines 1-9 of test.conf are the fixed head above; the text starts on line 10.
const char* const kVhosts = "SSLEngine off\n"                 // 10
                            "<VirtualHost 127.0.0.1:28443>\n" // 11
                            "  SSLEngine on\n"                // 12
                            "</VirtualHost>\n"                // 13
                            "<VirtualHost 127.0.0.1:28444>\n" // 14
                            "  SSLEngine on\n"                // 15
                            "  SSLEngine off\n"               // 16
                            "</VirtualHost>\n"                // 17
                            "<VirtualHost 127.0.0.1:28445>\n" // 18
                            "  SSLEngine optional\n"          // 19
                            "</VirtualHost>\n";               // 20

TEST_F(TlsGuard, FindsTheServersWhoseSslEngineIsOnOrOptional) {
  auto config = compile(kVhosts);
  ASSERT_TRUE(config);
  const auto servers = servers_with_client_tls(*config);
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].name, "<VirtualHost 127.0.0.1:28443> (" + conf_ + ":11)");
  EXPECT_EQ(servers[0].engine_file, conf_);
  EXPECT_EQ(servers[0].engine_line, 12u);
  EXPECT_EQ(servers[0].engine_value, "on");
  EXPECT_EQ(servers[1].engine_line, 19u);
  EXPECT_EQ(servers[1].engine_value, "optional");
  EXPECT_TRUE(servers_with_client_tls(*compile("SSLEngine off\n")).empty());
  EXPECT_EQ(servers_with_client_tls(*compile("SSLEngine on\n")).at(0).name, "the main server");
}

TEST_F(TlsGuard, RefusesToStartAndSaysWhereAndWhy) {
  auto config = compile(kVhosts);
  ASSERT_TRUE(config);
  {
    const auto logs = log::LogSet::open(*config);
    std::ostringstream err;
    EXPECT_TRUE(refuse_plaintext_tls(*config, {"FOREGROUND"}, logs, err));
    const std::string where = conf_ + ":12";
    EXPECT_NE(err.str().find("SSLEngine on at " + where + " in <VirtualHost 127.0.0.1:28443>"),
              std::string::npos)
        << err.str();
    EXPECT_NE(err.str().find("TLS termination toward clients is not implemented"), std::string::npos);
    EXPECT_NE(err.str().find("-D BALANCERD_ALLOW_PLAINTEXT_TLS"), std::string::npos);
    EXPECT_NE(err.str().find("AH00016: Configuration Failed\n"), std::string::npos);
    logs.flush();
  }
  const std::string log = error_log();
  EXPECT_NE(log.find("[ssl:warn]"), std::string::npos) << log;
  EXPECT_NE(log.find("<VirtualHost 127.0.0.1:28443> (" + conf_ + ":11) has SSLEngine on at " + conf_ + ":12"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("[ssl:emerg]"), std::string::npos) << log;
}

TEST_F(TlsGuard, TheOperatorMayAllowPlaintext) {
  auto config = compile(kVhosts);
  ASSERT_TRUE(config);
  {
    const auto logs = log::LogSet::open(*config);
    std::ostringstream err;
    EXPECT_FALSE(refuse_plaintext_tls(*config, {"FOREGROUND", "BALANCERD_ALLOW_PLAINTEXT_TLS"}, logs, err));
    EXPECT_EQ(err.str(), "");
    logs.flush();
  }
  const std::string log = error_log();
  EXPECT_NE(log.find("[ssl:warn]"), std::string::npos) << log; // still warned
  EXPECT_EQ(log.find("[ssl:emerg]"), std::string::npos) << log;
}

TEST_F(TlsGuard, NothingWithoutClientTls) {
  auto config = compile("SSLProxyEngine on\n");
  ASSERT_TRUE(config);
  const auto logs = log::LogSet::open(*config);
  std::ostringstream err;
  EXPECT_FALSE(refuse_plaintext_tls(*config, {}, logs, err));
  EXPECT_EQ(err.str(), "");
}

} // namespace
} // namespace balancerd::runtime
