#pragma once
// Test support for the walk pass: a temporary tree laid out like the capture fixtures
// (<T>/base.conf, <T>/baseproxy.conf, <T>/root, <T>/run, <T>/c/NAME.conf) and a helper that runs
// compile_config on a fixture body and returns the error text Apache would print, or the result.
#include "directives/compile.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace balancerd::directives::testing {

inline const std::string modules_dir = "/usr/lib/apache2/modules";

class FixtureTree {
public:
  FixtureTree() {
    char tmpl[] = "/tmp/bd-core-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    std::filesystem::create_directories(root_ + "/root");
    std::filesystem::create_directories(root_ + "/run");
    std::filesystem::create_directories(root_ + "/c");
    write("base.conf", "ServerRoot " + root_ + "/root\n" + "LoadModule mpm_event_module " + modules_dir +
                           "/mod_mpm_event.so\n" + "LoadModule authz_core_module " + modules_dir +
                           "/mod_authz_core.so\n" + "PidFile " + root_ + "/run/httpd.pid\n" + "ErrorLog " +
                           root_ + "/run/error.log\n" + "DefaultRuntimeDir " + root_ + "/run\n" +
                           "Listen 127.0.0.1:28080\n");
    std::string proxy;
    for (const char* m : {"authz_host", "headers", "proxy", "proxy_http", "slotmem_shm", "proxy_balancer",
                          "lbmethod_byrequests", "socache_shmcb", "ssl", "http2", "setenvif"})
      proxy += "LoadModule " + std::string(m) + "_module " + modules_dir + "/mod_" + m + ".so\n";
    write("baseproxy.conf", proxy);
  }
  ~FixtureTree() { std::filesystem::remove_all(root_); }
  FixtureTree(const FixtureTree&) = delete;
  FixtureTree& operator=(const FixtureTree&) = delete;

  const std::string& dir() const { return root_; }
  std::string write(const std::string& rel, const std::string& text) const {
    const std::string path = root_ + "/" + rel;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // "<T>" in a capture's text stands for the fixture directory.
  std::string expand(std::string text) const {
    for (std::size_t at = text.find("<T>"); at != std::string::npos; at = text.find("<T>", at))
      text.replace(at, 3, root_);
    return text;
  }

private:
  std::string root_;
};

struct Outcome {
  bool ok = false;
  std::string error; // as the program prints it (program name "apache2", so captures compare as is)
  std::vector<LogRecord> logs;
  CompileResult result;
  // Every log/plain line's text, without the timestamp prefix.
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const auto& l : logs)
      out.push_back(l.plain ? l.text : "[" + l.module + ":" + l.level + "] " + l.text);
    return out;
  }
};

inline Outcome compile_file(const std::string& path, std::vector<std::string> defines = {},
                            const std::string& server_root = "/etc/apache2") {
  parser::ReadOptions options;
  options.server_root = server_root;
  options.config_file = path;
  options.defines = std::move(defines);
  Diagnostics diagnostics("apache2");
  Outcome out;
  try {
    out.result = compile_config(options, diagnostics);
    out.ok = true;
  } catch (const ConfigError& e) {
    out.error = e.report("apache2");
  }
  out.logs = diagnostics.records();
  return out;
}

// Writes <T>/c/NAME.conf with the given lines (<T> expanded) and compiles it.
inline Outcome compile_fixture(const FixtureTree& tree, const std::string& name, const std::string& body,
                               std::vector<std::string> defines = {}) {
  const std::string path = tree.write("c/" + name + ".conf", tree.expand(body));
  return compile_file(path, std::move(defines));
}

} // namespace balancerd::directives::testing
