#pragma once
// Compiles a config text the way `apache2 -t -f CONF` reads it in proxy_oracle.py: CONF is
// "Include BASE" followed by the text, BASE sets ServerRoot (a temp dir with logs/), ServerName and
// loads the event MPM, authz_core, proxy, proxy_http, slotmem_shm, proxy_balancer,
// lbmethod_byrequests (and proxy_hcheck when asked).
#include "directives/compile.hpp"
#include "directives/config_error.hpp"
#include "directives/diagnostics.hpp"
#include "directives/tests/temp_tree.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace balancerd::directives::proxy_test {

using test::replace_all;
using test::TempTree;

struct Compiled {
  std::shared_ptr<const Config> config; // null on error
  std::string error;                    // ConfigError text with the config path written as CONF
  std::vector<LogRecord> logs;
};

// Compiles a config file written into `tree` (throws ConfigError on error).
inline std::shared_ptr<const Config> compile_file(const TempTree& tree, const std::string& conf) {
  Diagnostics diagnostics("apache2");
  parser::ReadOptions options;
  options.server_root = tree.dir();
  options.config_file = conf;
  return compile_config(options, diagnostics).config;
}

inline Compiled compile_text(const std::string& text, bool hcheck = false,
                             const std::string& extra_modules = "") {
  TempTree tree;
  const std::string modules = "/usr/lib/apache2/modules/";
  std::string base = "ServerRoot " + tree.dir() + "\nServerName localhost\n";
  for (const char* m : {"mpm_event", "authz_core", "proxy", "proxy_http", "slotmem_shm", "proxy_balancer",
                        "lbmethod_byrequests"}) {
    const std::string so =
        std::string(m) == "mpm_event" ? "mod_mpm_event.so" : "mod_" + std::string(m) + ".so";
    base += "LoadModule " + std::string(m) + "_module " + modules + so + "\n";
  }
  if (hcheck) base += "LoadModule proxy_hcheck_module " + modules + "mod_proxy_hcheck.so\n";
  base += extra_modules;
  const std::string base_path = tree.write("base.conf", base);
  const std::string conf = tree.write("case.conf", "Include " + base_path + "\n" + text + "\n");

  Compiled out;
  Diagnostics diagnostics("apache2");
  parser::ReadOptions options;
  options.server_root = tree.dir();
  options.config_file = conf;
  try {
    out.config = compile_config(options, diagnostics).config;
  } catch (const ConfigError& e) {
    out.error = replace_all(e.report("apache2"), conf, "CONF");
  }
  out.logs = diagnostics.records();
  return out;
}

} // namespace balancerd::directives::proxy_test
