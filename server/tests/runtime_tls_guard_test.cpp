// Start-up with a server that has SSLEngine on (runtime/tls_guard.hpp): the servers with TLS are
// found, their contexts built, and a certificate that cannot be used fails start-up with mod_ssl's
// messages and "AH00016: Configuration Failed", as apache2 does.
#include "server/runtime/tls_guard.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "directives/compile.hpp"
#include "directives/diagnostics.hpp"
#include "directives/registry.hpp"
#include "server/log/log_set.hpp"
#include "server/net/tls_context.hpp"

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

TEST_F(TlsGuard, BuildsContextsForTheTlsServers) {
  // a certificate made here (openssl's command line would be slower and not always installed)
  const std::string cert = dir_ + "/c.pem";
  {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* x = X509_new();
    X509_set_version(x, 2);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_sign(x, key, EVP_sha256());
    FILE* f = std::fopen(cert.c_str(), "w");
    PEM_write_X509(f, x);
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr); // the key in the cert file
    std::fclose(f);
    X509_free(x);
    EVP_PKEY_free(key);
  }
  auto config = compile("<VirtualHost 127.0.0.1:28443>\n  SSLEngine on\n  SSLCertificateFile " + cert +
                        "\n</VirtualHost>\n");
  ASSERT_TRUE(config);
  const auto logs = log::LogSet::open(*config);
  std::ostringstream err;
  std::shared_ptr<const net::TlsContexts> contexts;
  EXPECT_TRUE(setup_client_tls(*config, "localhost", logs, err, contexts));
  EXPECT_EQ(err.str(), "");
  ASSERT_TRUE(contexts);
  EXPECT_TRUE(contexts->for_local("127.0.0.1", 28443));
}

TEST_F(TlsGuard, AnUnusableCertificateFailsStartUpAsModSslDoes) {
  std::ofstream(dir_ + "/junk.pem") << "garbage\n";
  auto config = compile("<VirtualHost 127.0.0.1:28443>\n  ServerName tls.example\n  SSLEngine on\n"
                        "  SSLCertificateFile " +
                        dir_ + "/junk.pem\n</VirtualHost>\n");
  ASSERT_TRUE(config);
  {
    const auto logs = log::LogSet::open(*config);
    std::ostringstream err;
    std::shared_ptr<const net::TlsContexts> contexts;
    EXPECT_FALSE(setup_client_tls(*config, "localhost", logs, err, contexts));
    EXPECT_FALSE(contexts);
    EXPECT_EQ(err.str(), "AH00016: Configuration Failed\n");
    logs.flush();
  }
  const std::string log = error_log();
  EXPECT_NE(log.find("[ssl:emerg]"), std::string::npos) << log;
  EXPECT_NE(log.find("AH02562: Failed to configure certificate tls.example:443:0 (with chain), check " +
                     dir_ + "/junk.pem"),
            std::string::npos)
      << log;
}

TEST_F(TlsGuard, NothingWithoutClientTls) {
  auto config = compile("SSLProxyEngine on\n");
  ASSERT_TRUE(config);
  const auto logs = log::LogSet::open(*config);
  std::ostringstream err;
  std::shared_ptr<const net::TlsContexts> contexts;
  EXPECT_TRUE(setup_client_tls(*config, "localhost", logs, err, contexts));
  EXPECT_FALSE(contexts);
  EXPECT_EQ(err.str(), "");
}

} // namespace
} // namespace balancerd::runtime
