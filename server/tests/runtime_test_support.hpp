#pragma once
// Compiles a config text for the runtime tests: a temp ServerRoot, the modules the per-request
// config needs, ServerName main.example, then the text.
#include "directives/compile.hpp"
#include "directives/config_error.hpp"
#include "directives/diagnostics.hpp"
#include "directives/registry.hpp"
#include "server/runtime/request_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace balancerd::runtime::testing {

inline std::shared_ptr<const directives::Config> compile_text(const std::string& text,
                                                              std::string* error = nullptr) {
  // registry.cpp has weak empty fallbacks for these tables: calling the real ones from this binary's
  // own objects makes the linker take the strong definitions from the archive.
  if (directives::http_family_bindings("mod_headers.c").empty() ||
      directives::proxy_family_bindings("mod_proxy.c").empty())
    ADD_FAILURE() << "http/proxy directive handlers not linked";
  std::string tmpl = (std::filesystem::temp_directory_path() / "bd-runtime-XXXXXX").string();
  const std::string dir = ::mkdtemp(tmpl.data());
  std::string conf = "ServerRoot " + dir + "\nPidFile " + dir + "/httpd.pid\nErrorLog " + dir +
                     "/error.log\nDefaultRuntimeDir " + dir + "\n";
  for (const char* m :
       {"mpm_event", "authz_core", "authz_host", "access_compat", "headers", "alias", "dir", "mime",
        "setenvif", "env", "proxy", "proxy_http", "slotmem_shm", "proxy_balancer", "lbmethod_byrequests"})
    conf += std::string("LoadModule ") + m + "_module /usr/lib/apache2/modules/mod_" + m + ".so\n";
  conf += "Listen 127.0.0.1:28080\n";
  conf += "ServerName main.example\n"; // a ServerName in the text comes later and wins
  conf += text;
  std::ofstream(dir + "/test.conf", std::ios::binary) << conf;
  parser::ReadOptions options;
  options.server_root = dir;
  options.config_file = dir + "/test.conf";
  directives::Diagnostics diagnostics("apache2");
  std::shared_ptr<const directives::Config> out;
  try {
    out = directives::compile_config(options, diagnostics).config;
  } catch (const directives::ConfigError& e) {
    if (error)
      *error = e.report("apache2");
    else
      ADD_FAILURE() << e.report("apache2");
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return out;
}

inline LocalEndpoint endpoint(const char* ip, std::uint16_t port) {
  return LocalEndpoint{*IpAddress::parse(ip), port};
}

} // namespace balancerd::runtime::testing
