#pragma once
// Compiles a config text the way http_oracle.py runs `apache2 -t -f CONF`: CONF is "Include BASE"
// followed by the text; BASE sets ServerRoot (a temp dir with logs/, cadir/, a non-empty cert.pem and
// an empty empty.pem), ServerName, and loads the http-family modules listed in kHttpModules.
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

namespace balancerd::directives::http_test {

using test::replace_all;

// The shared scratch root plus what the mod_ssl cases name: a CA directory and two PEM files.
class TempTree : public test::TempTree {
public:
  TempTree() {
    std::filesystem::create_directory(std::filesystem::path(dir()) / "cadir");
    write("cert.pem", "not really a certificate\n");
    write("empty.pem", "");
  }
};

inline constexpr const char* kHttpModules[] = {
    "mpm_event", "authz_core",    "authz_host", "access_compat", "headers",  "alias",
    "dir",       "mime",          "setenvif",   "env",           "remoteip", "reqtimeout",
    "status",    "socache_shmcb", "ssl",        "http2",         "autoindex"};

struct Compiled {
  std::shared_ptr<const Config> config; // null on error
  std::string error;                    // ConfigError text, config path as CONF, ServerRoot as ROOT
  std::vector<LogRecord> logs;
};

inline Compiled compile_text(const std::string& text) {
  TempTree tree;
  const std::string modules = "/usr/lib/apache2/modules/";
  std::string base = "ServerRoot " + tree.dir() + "\nServerName localhost\n";
  for (std::string m : kHttpModules) {
    const std::string so = m == "mpm_event" ? "mod_mpm_event.so" : "mod_" + m + ".so";
    base += "LoadModule " + m + "_module " + modules + so + "\n";
  }
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
    out.error = replace_all(replace_all(e.report("apache2"), conf, "CONF"), tree.dir(), "ROOT");
  }
  out.logs = diagnostics.records();
  for (auto& r : out.logs) r.text = replace_all(r.text, tree.dir(), "ROOT");
  return out;
}

} // namespace balancerd::directives::http_test
