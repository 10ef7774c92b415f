#pragma once
// Test support for the command line's dumps (server/cli/dumps.hpp), shared by cli_tests and
// server_tests: a throw-away config tree laid out like the capture fixtures (<T>/base.conf,
// <T>/baseproxy.conf and the folders c/, root/, run/, www/), and compile() with -D defines.
#include "directives/compile.hpp"
#include "directives/diagnostics.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace balancerd::cli::test_support {

class Tree {
public:
  Tree() {
    char tmpl[] = "/tmp/bd-cli-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    for (const char* d : {"c", "root", "run", "www"}) std::filesystem::create_directories(root_ + "/" + d);
    const std::string mods = "/usr/lib/apache2/modules/";
    write("base.conf", "ServerRoot <T>/root\nLoadModule mpm_event_module " + mods +
                           "mod_mpm_event.so\nLoadModule authz_core_module " + mods +
                           "mod_authz_core.so\nPidFile <T>/run/httpd.pid\nErrorLog <T>/run/error.log\n"
                           "DefaultRuntimeDir <T>/run\nListen 127.0.0.1:28080\n");
    std::string proxy;
    for (const char* m : {"authz_host", "headers", "proxy", "proxy_http", "slotmem_shm", "proxy_balancer",
                          "lbmethod_byrequests", "socache_shmcb", "ssl", "http2", "setenvif"})
      proxy += "LoadModule " + std::string(m) + "_module " + mods + "mod_" + m + ".so\n";
    write("baseproxy.conf", proxy);
  }
  ~Tree() { std::filesystem::remove_all(root_); }
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  // "<T>" in a text stands for the tree's root.
  std::string expand(std::string s) const {
    for (auto at = s.find("<T>"); at != std::string::npos; at = s.find("<T>", at)) s.replace(at, 3, root_);
    return s;
  }
  // Writes `text`, expanded, to <T>/rel and returns that path.
  std::string write(const std::string& rel, const std::string& text) const {
    const std::string path = root_ + "/" + rel;
    std::ofstream(path) << expand(text);
    return path;
  }

private:
  std::string root_;
};

// The config `path` as balancerd reads it (ServerRoot /etc/apache2, program name apache2).
inline directives::CompileResult compile(const std::string& path, std::vector<std::string> defines = {}) {
  parser::ReadOptions options;
  options.server_root = "/etc/apache2";
  options.config_file = path;
  options.defines = std::move(defines);
  directives::Diagnostics diagnostics("apache2");
  return directives::compile_config(options, diagnostics);
}

} // namespace balancerd::cli::test_support
