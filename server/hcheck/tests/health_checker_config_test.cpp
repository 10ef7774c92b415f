// The checker on a configuration read from Apache config text: ProxyHCTemplate and hctemplate=,
// ProxyHCExpr with hc('body'), hcinterval at the parser's 100 ms minimum, a <VirtualHost> balancer.
#include "server/hcheck/health_checker.hpp"

#include "directives/compile.hpp"
#include "hc_test_support.hpp"
#include "loopback_backend.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace hctest;
using balancerd::directives::kWorkerHcFail;

namespace fs = std::filesystem;

TEST(HealthCheckerConfig, TemplatesAndExpressionsFromConfigText) {
  if (!fs::exists("/usr/lib/apache2/modules/mod_proxy_hcheck.so")) GTEST_SKIP() << "no Apache modules";
  LoopbackBackend maint, head, tcp_vhost;
  maint.respond(http_response(200, "Under maintenance"));
  head.respond(http_response(200, "Under maintenance")); // HEAD: the body is not read
  const fs::path dir = fs::temp_directory_path() / ("bd-hcheck-conf-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string mods = "/usr/lib/apache2/modules/";
  {
    std::ofstream c(dir / "server.conf", std::ios::trunc);
    c << "LoadModule mpm_event_module " << mods << "mod_mpm_event.so\n"
      << "LoadModule slotmem_shm_module " << mods << "mod_slotmem_shm.so\n"
      << "LoadModule proxy_module " << mods << "mod_proxy.so\n"
      << "LoadModule proxy_http_module " << mods << "mod_proxy_http.so\n"
      << "LoadModule proxy_balancer_module " << mods << "mod_proxy_balancer.so\n"
      << "LoadModule proxy_hcheck_module " << mods << "mod_proxy_hcheck.so\n"
      << "LoadModule lbmethod_byrequests_module " << mods << "mod_lbmethod_byrequests.so\n"
      << "ServerName localhost\n"
      << "Listen 127.0.0.1:1\n"
      << "ErrorLog " << (dir / "error.log").string() << "\n"
      << "ProxyHCExpr in_maint {hc('body') !~ /Under maintenance/}\n"
      << "ProxyHCTemplate fast hcmethod=GET hcinterval=100ms hcfails=1 hcpasses=1 hcuri=/health "
         "hcexpr=in_maint\n"
      << "<Proxy balancer://app>\n"
      << "  BalancerMember http://127.0.0.1:" << maint.port() << "/a hctemplate=fast\n"
      << "  BalancerMember http://127.0.0.1:" << head.port() << " hctemplate=fast hcmethod=HEAD\n"
      << "</Proxy>\n"
      << "ProxyPass /app balancer://app/\n"
      << "<VirtualHost 127.0.0.1:1>\n"
      << "  ServerName v\n"
      << "  <Proxy balancer://v>\n"
      << "    BalancerMember http://127.0.0.1:" << tcp_vhost.port() << " hcmethod=TCP hcinterval=100ms\n"
      << "  </Proxy>\n"
      << "  ProxyPass /v balancer://v/\n"
      << "</VirtualHost>\n";
  }
  parser::ReadOptions read;
  read.server_root = dir.string();
  read.config_file = (dir / "server.conf").string();
  directives::Diagnostics diag("balancerd", [](const directives::LogRecord&) {});
  const directives::CompileResult compiled = directives::compile_config(read, diag);
  ASSERT_TRUE(compiled.config);

  balancer::StateStore store(store_options());
  LogCapture logs;
  hcheck::HealthChecker checker(store, logs.options());
  store.sync(*compiled.config);
  checker.update(compiled.config);

  const std::string maint_name = "http://127.0.0.1:" + std::to_string(maint.port()) + "/a";
  balancer::WorkerState* ws_maint = state_of(store, maint_name);
  balancer::WorkerState* ws_head = state_of(store, "http://127.0.0.1:" + std::to_string(head.port()));
  ASSERT_NE(ws_maint, nullptr);
  ASSERT_NE(ws_head, nullptr);
  ASSERT_TRUE(eventually([&] { return ws_maint->has(kWorkerHcFail); }));
  ASSERT_TRUE(eventually([&] { return head.requests() >= 1 && tcp_vhost.connections() >= 1; }));
  EXPECT_FALSE(ws_head->has(kWorkerHcFail));
  EXPECT_EQ(maint.received()[0],
            "GET /a//health HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(maint.port()) + "\r\n\r\n");
  EXPECT_EQ(head.received()[0],
            "HEAD /health HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(head.port()) + "\r\n\r\n");
  EXPECT_EQ(logs.count({"AH03303: Threaded Health check DISABLING " + maint_name}), 1);
  EXPECT_GE(logs.count({"Condition in_maint for"}), 1);
  // The <VirtualHost> inherits balancer://app (its own copy in the store): checked once, flagged in both.
  EXPECT_EQ(checker.workers_watched(), 3u);
  balancer::BalancerState* inherited = store.balancer(0, "balancer://app");
  ASSERT_NE(inherited, nullptr);
  ASSERT_NE(inherited->find_member(maint_name), nullptr);
  EXPECT_NE(inherited->find_member(maint_name), ws_maint);
  EXPECT_TRUE(inherited->find_member(maint_name)->has(kWorkerHcFail));
  fs::remove_all(dir);
}
