#pragma once
// Test support for balancer-manager: the apache2 configurations the captures in captures/ were taken
// from (compiled with directives::compile_config in a temporary ServerRoot), a state store synced to
// them whose nonces are the ones apache2 printed, and requests as the captures made them.
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "directives/compile.hpp"
#include "directives/diagnostics.hpp"
#include "directives/tests/temp_tree.hpp"
#include "server/balancer/state_store.hpp"
#include "server/manager/manager_request.hpp"

namespace balancerd::manager::test {

inline std::string capture_dir() {
  return (std::filesystem::path(__FILE__).parent_path() / "captures").string();
}

inline std::string read_capture(const std::string& name) {
  std::ifstream in(capture_dir() + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing capture " << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> capture_lines(const std::string& name) {
  std::vector<std::string> out;
  std::istringstream in(read_capture(name));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// What differs between two runs of the same server: the shared-memory id in the slot name and the
// build time. (Nonces are not normalised: the store is given apache2's.)
inline std::string normalise(std::string s) {
  s = std::regex_replace(s, std::regex(R"(\[p[0-9a-f]+_)"), "[pID_");
  s = std::regex_replace(s, std::regex(R"(<dt>Server Built: [^<]*</dt>)"), "<dt>Server Built: X</dt>");
  return s;
}

inline std::string modules_text(bool ajp) {
  const std::string dir = "/usr/lib/apache2/modules/";
  std::string out;
  for (const char* m : {"mpm_event", "authz_core", "authz_host", "headers", "proxy", "proxy_http",
                        "slotmem_shm", "proxy_balancer", "lbmethod_byrequests", "lbmethod_bybusyness",
                        "lbmethod_bytraffic", "lbmethod_heartbeat", "proxy_hcheck", "status"})
    out += "LoadModule " + std::string(m) + "_module " + dir + "mod_" + m + ".so\n";
  if (ajp) out += "LoadModule proxy_ajp_module " + dir + "mod_proxy_ajp.so\n";
  return out;
}

// /tmp/mgr-ap/a.conf of the captures (three balancers; rc has growth=2).
inline const char* kConfigA = R"(ProxyRequests Off
ProxyStatus On
<Proxy "balancer://mycluster">
    BalancerMember "http://127.0.0.1:18101" route=b1 loadfactor=1
    BalancerMember "http://127.0.0.1:18102" route=b2 loadfactor=2
    BalancerMember "http://127.0.0.1:18103" route=b3 status=+H
    ProxySet lbmethod=byrequests stickysession=JSESSIONID|jsessionid
</Proxy>
<Proxy "balancer://dead">
    BalancerMember "http://127.0.0.1:18199" retry=60
    BalancerMember "http://127.0.0.1:18198" retry=60
</Proxy>
<Proxy "balancer://rc">
    BalancerMember "http://127.0.0.1:18101" route=r1
    BalancerMember "http://127.0.0.1:18102" route=r2
    ProxySet stickysession=ROUTEID growth=2
</Proxy>
ProxyPass "/app/" "balancer://mycluster/"
ProxyPass "/rc/" "balancer://rc/"
ProxyPass "/dead/" "balancer://dead/"
<Location "/balancer-manager">
    SetHandler balancer-manager
    Require ip 127.0.0.1
</Location>
<Location "/server-status">
    SetHandler server-status
</Location>
)";

// /tmp/mgr-bp/b.conf: explicit worker parameters, a Unix-socket member, AJP members, nonce=None,
// health-check expressions, BalancerPersist On, ProxyStatus Full.
inline const char* kConfigB = R"(ProxyStatus Full
BalancerPersist On
ProxyHCExpr ok234 {%{REQUEST_STATUS} =~ /^[234]/}
ProxyHCExpr gdown {%{REQUEST_STATUS} =~ /^[5]/ && "<&>" == "x"}
<Proxy "balancer://full">
    BalancerMember "http://127.0.0.1:18201" route=f1 timeout=5 acquire=100 connectiontimeout=2 retry=30 keepalive=On disablereuse=On iobuffersize=16384 receivebuffersize=8192 ttl=9 min=1 smax=3 max=7 hcmethod=GET hcexpr=ok234 hcuri=/hc hcinterval=10 hcpasses=2 hcfails=3 lbset=2 redirect=f2
    BalancerMember "unix:/tmp/mgr-bp/run/sock|http://uds.example/" route=u1
    BalancerMember "ajp://127.0.0.1:18209" ping=3 flushpackets=on flushwait=20
    ProxySet nonce=None timeout=9 maxattempts=4 lbmethod=bybusyness stickysession=S scolonpathdelim=On nofailover=On growth=1
</Proxy>
<Proxy "balancer://nopass">
    BalancerMember "http://127.0.0.1:18202" status=+E
</Proxy>
ProxyPass "/v/" "balancer://full/"
<Location "/balancer-manager">
    SetHandler balancer-manager
</Location>
<Location "/server-status">
    SetHandler server-status
</Location>
<Proxy "balancer://x3">
    BalancerMember "http://127.0.0.1:18301" connectiontimeout=2500ms ping=3 keepalive=Off disablereuse=Off timeout=1500ms acquire=2 retry=0
    BalancerMember "ajp://127.0.0.1:18302" flushpackets=auto flushwait=20 ping=250ms
    BalancerMember "http://127.0.0.1:18303" connectiontimeout=7 status=+IDNHRSC
    ProxySet maxattempts=0
</Proxy>
)";

// /tmp/mgr-cp/c.conf: virtual hosts (an inherited balancer and the main server's ProxyHCExpr; and
// BalancerInherit/ProxyPassInherit Off, BalancerPersist On with a ProxyHCExpr of its own).
inline const char* kConfigC = R"(ProxyHCExpr ok234 {%{REQUEST_STATUS} =~ /^[234]/}
<Proxy "balancer://main">
    BalancerMember "http://127.0.0.1:18401"
</Proxy>
<Location "/balancer-manager">
    SetHandler balancer-manager
</Location>
<VirtualHost *:18470>
ServerName v1.example
ProxyPass "/v1/" "balancer://vb/"
<Proxy "balancer://vb">
    BalancerMember "http://127.0.0.1:18402" route=x
</Proxy>
</VirtualHost>
<VirtualHost *:18470>
ServerName v2.example
BalancerInherit Off
ProxyPassInherit Off
BalancerPersist On
ProxyHCExpr own1 {%{REQUEST_STATUS} =~ /^2/}
</VirtualHost>
)";

inline std::string without_nonces(std::string s) {
  return std::regex_replace(s, std::regex(R"(nonce=[0-9a-f-]{36})"), "nonce=N");
}

// A compiled configuration with its state store, and the manager's view of the main server.
class Fixture {
public:
  // `nonces`: what the store's nonce generator hands out, in order ("" entries are skipped by
  // balancers with nonce=None, which do not ask).
  Fixture(const std::string& config_text, std::vector<std::string> nonces, bool ajp = false)
      : nonces_(nonces.begin(), nonces.end()) {
    const std::string base =
        tree_.write("base.conf", "ServerRoot " + tree_.dir() + "\nServerName localhost\n" +
                                     "DefaultRuntimeDir " + tree_.dir() + "\n" + modules_text(ajp));
    const std::string conf = tree_.write("case.conf", "Include " + base + "\n" + config_text);
    directives::Diagnostics diagnostics("apache2");
    parser::ReadOptions options;
    options.server_root = tree_.dir();
    options.config_file = conf;
    config_ = directives::compile_config(options, diagnostics).config;
    balancer::StoreOptions so;
    so.make_nonce = [this] {
      if (nonces_.empty()) return std::string("00000000-0000-0000-0000-000000000000");
      std::string n = nonces_.front();
      nonces_.pop_front();
      return n;
    };
    so.persist_path = tree_.dir() + "/balancers.state";
    store_ = std::make_unique<balancer::StateStore>(std::move(so));
    store_->sync(*config_);
    server_.store = store_.get();
    server_.server_index = -1;
    server_.proxy = store_->proxy_conf(-1);
    fill_server_facts(server_, *config_, config_->main);
    server_.facts.built = "2026-11-12T08:58:41";
  }

  // Serve the pages of another server (-1: main, i: the i-th <VirtualHost>).
  void use_server(int index) {
    server_.server_index = index;
    server_.proxy = store_->proxy_conf(index);
    fill_server_facts(server_, *config_,
                      index < 0 ? config_->main : config_->vhosts.at(static_cast<std::size_t>(index)));
    server_.facts.built = "2026-11-12T08:58:41";
  }

  balancer::StateStore& store() { return *store_; }
  ManagerServer& server() { return server_; }
  const directives::Config& config() const { return *config_; }

  // A request as curl sent it to 127.0.0.1:PORT/balancer-manager.
  ManagerRequest request(unsigned port, std::string_view query = {},
                         std::optional<std::string> referer = {}) {
    ManagerRequest r;
    r.method = ManagerMethod::Get;
    r.query = keep(std::string(query));
    if (referer) r.referer = keep(*referer);
    r.uri = "/balancer-manager";
    r.identity.server_name = "127.0.0.1";
    r.identity.port = port;
    return r;
  }
  ManagerRequest post(unsigned port, std::string_view body, std::optional<std::string> referer) {
    ManagerRequest r = request(port, {}, std::move(referer));
    r.method = ManagerMethod::Post;
    r.body = keep(std::string(body));
    return r;
  }
  ManagerResponse run(const ManagerRequest& r) { return handle_manager_request(r, server_); }

private:
  std::string_view keep(std::string s) {
    strings_.push_back(std::move(s));
    return strings_.back();
  }

  directives::test::TempTree tree_;
  std::deque<std::string> nonces_;
  std::shared_ptr<const directives::Config> config_;
  std::unique_ptr<balancer::StateStore> store_;
  ManagerServer server_;
  std::deque<std::string> strings_;
};

inline std::vector<std::string> nonces_of(const std::string& capture) {
  return capture_lines(capture);
}

} // namespace balancerd::manager::test
