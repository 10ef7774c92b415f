// RequestReadTimeout per server (read_timeouts_by_address): a connection's header stage is its base
// server's, the vhost its local address selects before any Host is read (the first vhost of the
// address's name chain) or the main server; vhosts inherit what they do not set; mod_reqtimeout's
// defaults apply when it is loaded, nothing when it is not. Verified against apache2 2.4.71.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "directives/compile.hpp"
#include "server/lifecycle/server_options_from_config.hpp"
#include "server/runtime/vhost_selector.hpp"

namespace fs = std::filesystem;
using namespace balancerd;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<const directives::Config> compile(const std::string& text) {
  static int n = 0;
  const fs::path file = fs::temp_directory_path() /
                        ("bd-rrt-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".conf");
  std::ofstream(file) << "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
                      << "ServerName localhost\n"
                      << "ErrorLog /dev/null\n"
                      << text;
  parser::ReadOptions read;
  read.server_root = fs::temp_directory_path().string();
  read.config_file = file.string();
  directives::Diagnostics diag("balancerd", [](const directives::LogRecord&) {});
  auto compiled = directives::compile_config(read, diag);
  fs::remove(file);
  EXPECT_TRUE(compiled.config) << text;
  return compiled.config;
}

const char* kModule = "LoadModule reqtimeout_module /usr/lib/apache2/modules/mod_reqtimeout.so\n";

} // namespace

TEST(ReadTimeoutsByAddress, SameEverywhereNeedsNoTable) {
  auto config =
      compile(std::string(kModule) + "RequestReadTimeout header=7 body=8\n"
                                     "Listen 127.0.0.1:18001\n"
                                     "<VirtualHost 127.0.0.1:18001>\nServerName a\n</VirtualHost>\n");
  ASSERT_TRUE(config);
  EXPECT_EQ(lifecycle::read_timeouts_by_address(*config, "localhost"), nullptr);
  const auto o = lifecycle::server_options_from_config(*config, "localhost");
  EXPECT_EQ(o.connection.request_read.header.timeout, 7s);
  EXPECT_EQ(o.connection.request_read.body.timeout, 8s);
  EXPECT_TRUE(o.connection.request_read.on);
  EXPECT_EQ(o.connection.request_read_by_address, nullptr);
}

TEST(ReadTimeoutsByAddress, ModuleNotLoadedMeansNoStages) {
  auto config = compile("Listen 127.0.0.1:18001\n");
  ASSERT_TRUE(config);
  const auto t = lifecycle::request_read_timeouts(*config, runtime::kMainServer);
  EXPECT_FALSE(t.on);
  EXPECT_EQ(t.header.timeout, 0s);
  EXPECT_EQ(t.body.timeout, 0s);
}

TEST(ReadTimeoutsByAddress, BaseServerOfTheLocalAddress) {
  auto config =
      compile(std::string(kModule) +
              "Listen 127.0.0.1:18001\nListen 127.0.0.1:18002\nListen 127.0.0.1:18003\n"
              "RequestReadTimeout header=9\n"
              // name-based pair on 18001: the first is the base server of the address
              "<VirtualHost 127.0.0.1:18001>\nServerName a.test\nRequestReadTimeout header=1 body=1\n"
              "</VirtualHost>\n"
              "<VirtualHost 127.0.0.1:18001>\nServerName b.test\nRequestReadTimeout header=3 body=3\n"
              "</VirtualHost>\n"
              // a wildcard vhost on 18002 with only the body stage set: header inherited
              "<VirtualHost *:18002>\nServerName c.test\nRequestReadTimeout body=5,MinRate=100\n"
              "</VirtualHost>\n");
  ASSERT_TRUE(config);
  auto table = lifecycle::read_timeouts_by_address(*config, "localhost");
  ASSERT_NE(table, nullptr);
  const auto& a = table->for_local("127.0.0.1", 18001);
  EXPECT_EQ(a.header.timeout, 1s);
  EXPECT_EQ(a.body.timeout, 1s);
  const auto& c = table->for_local("127.0.0.1", 18002);
  EXPECT_EQ(c.header.timeout, 9s); // inherited from the main server
  EXPECT_EQ(c.header.max, 0s);
  EXPECT_EQ(c.body.timeout, 5s);
  EXPECT_EQ(c.body.min_rate, 100u);
  const auto& main = table->for_local("127.0.0.1", 18003); // no vhost: the main server
  EXPECT_EQ(main.header.timeout, 9s);
  EXPECT_EQ(main.body.timeout, 20s); // mod_reqtimeout's default body stage
  EXPECT_EQ(main.body.min_rate, 500u);
  EXPECT_EQ(&table->for_local("::ffff:127.0.0.1", 18001), &a); // a dual-stack listener's IPv4 client
  // the request's vhost (b.test) has its own stages: its body stage comes with the request
  const auto b = lifecycle::request_read_timeouts(*config, 1);
  EXPECT_EQ(b.body.timeout, 3s);
}

TEST(ReadTimeoutsByAddress, ZeroStagesTurnTheModuleOffForTheConnection) {
  auto config =
      compile(std::string(kModule) + "Listen 127.0.0.1:18001\nListen 127.0.0.1:18002\n"
                                     "<VirtualHost 127.0.0.1:18001>\nRequestReadTimeout header=0 body=0\n"
                                     "</VirtualHost>\n"
                                     "<VirtualHost 127.0.0.1:18002>\nRequestReadTimeout header=0 body=0 "
                                     "handshake=5\n</VirtualHost>\n");
  ASSERT_TRUE(config);
  auto table = lifecycle::read_timeouts_by_address(*config, "localhost");
  ASSERT_NE(table, nullptr);
  EXPECT_FALSE(table->for_local("127.0.0.1", 18001).on); // a name-based vhost cannot turn it on
  EXPECT_TRUE(table->for_local("127.0.0.1", 18002).on);  // handshake= keeps it watching
  EXPECT_TRUE(table->for_local("127.0.0.1", 18009).on);  // elsewhere: the main server's defaults
}
