#pragma once
// Test helpers: compile an Apache config text with the real directives layer (so the tests use the
// same model the server does), a fixed clock, and shorthands for selecting through a balancer.
#include "directives/compile.hpp"
#include "directives/config_error.hpp"
#include "directives/diagnostics.hpp"
#include "server/balancer/select.hpp"
#include "server/balancer/state_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>

namespace balancerd::balancer::test {

// A private directory removed at the end of the test.
class TempDir {
public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("balancer_tests." + std::to_string(::getpid()) + "." + std::to_string(counter++));
    std::filesystem::create_directories(path_ / "logs");
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string dir() const { return path_.string(); }
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

private:
  std::filesystem::path path_;
};

// Compiles `text` after a base that loads what a balancer config needs (as apache2 -t would).
inline std::shared_ptr<const directives::Config> compile(const TempDir& dir, const std::string& text) {
  const std::string modules = "/usr/lib/apache2/modules/";
  std::string base =
      "ServerRoot " + dir.dir() + "\nServerName localhost\nDefaultRuntimeDir " + dir.dir() + "/logs\n";
  for (const char* m : {"mpm_event", "authz_core", "proxy", "proxy_http", "slotmem_shm", "proxy_balancer",
                        "lbmethod_byrequests", "lbmethod_bybusyness", "lbmethod_bytraffic",
                        "lbmethod_heartbeat", "proxy_hcheck"}) {
    const std::string so = "mod_" + std::string(m) + ".so";
    base += "LoadModule " + std::string(m) + "_module " + modules + so + "\n";
  }
  const std::string conf = dir.write("case.conf", base + text + "\n");
  directives::Diagnostics diagnostics("apache2");
  parser::ReadOptions options;
  options.server_root = dir.dir();
  options.config_file = conf;
  try {
    return directives::compile_config(options, diagnostics).config;
  } catch (const directives::ConfigError& e) {
    ADD_FAILURE() << e.what();
    return nullptr;
  }
}

inline TimePoint at(long seconds) {
  return TimePoint(std::chrono::seconds(1'700'000'000 + seconds));
}

inline RequestFacts facts(std::string_view url, std::string_view cookie = {}, TimePoint now = at(0)) {
  RequestFacts f;
  f.url = url;
  f.cookie = cookie;
  f.now = now;
  return f;
}

// The port of the chosen worker (the tests name backends by port), or 0.
inline int port_of(const Selection& s) {
  return s.status == SelectStatus::Chosen ? s.worker->port() : 0;
}

// Selects and releases at once, n times; returns the chosen ports joined with ' '.
inline std::string sequence(BalancerState& b, int n, std::string_view url = "balancer://c/x",
                            std::string_view cookie = {}, TimePoint now = at(0)) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    Selection s = select(b, facts(url, cookie, now));
    if (!out.empty()) out += ' ';
    out += std::to_string(port_of(s));
    if (s.worker) release(*s.worker, 0, 0);
  }
  return out;
}

inline std::string env_value(const Selection& s, const std::string& name) {
  for (const auto& [k, v] : s.env()) {
    if (k == name) return v;
  }
  return "-";
}

} // namespace balancerd::balancer::test
