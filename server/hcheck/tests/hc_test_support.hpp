#pragma once
// Shared pieces of the HealthChecker tests: configs built in code (intervals in milliseconds, which
// the model allows below the 100 ms the directive parser enforces), a log capture, bounded waits.
#include "directives/model/config.hpp"
#include "server/balancer/state_store.hpp"
#include "server/hcheck/health_checker.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hctest {

using namespace balancerd;
using namespace std::chrono_literals;

// Polls `f` every 2 ms for up to `limit`.
template <class F> bool eventually(F f, std::chrono::milliseconds limit = 5000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return f();
}

struct Captured {
  log::ModuleIndex module;
  int level;
  int os_error;
  std::string message;
};

class LogCapture {
public:
  hcheck::HealthCheckerOptions options() {
    hcheck::HealthCheckerOptions o;
    o.log = [this](const hcheck::HcLogLine& l) {
      std::lock_guard lock(mu_);
      lines_.push_back({l.module, l.level, l.os_error, std::string(l.message)});
    };
    return o;
  }
  std::vector<Captured> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }
  // Messages containing every one of `parts`, in order.
  std::vector<std::string> matching(std::initializer_list<std::string_view> parts) const {
    std::vector<std::string> out;
    for (const Captured& c : lines()) {
      bool all = true;
      for (std::string_view p : parts) all = all && c.message.find(p) != std::string::npos;
      if (all) out.push_back(c.message);
    }
    return out;
  }
  int count(std::initializer_list<std::string_view> parts) const {
    return static_cast<int>(matching(parts).size());
  }

private:
  mutable std::mutex mu_;
  std::vector<Captured> lines_;
};

inline directives::Worker member(std::uint16_t port, std::string path, directives::HcMethod method,
                                 std::chrono::milliseconds interval = 20ms, int passes = 1, int fails = 1) {
  directives::Worker w;
  w.scheme = "http";
  w.hostname = "127.0.0.1";
  w.port = port;
  w.name = "http://127.0.0.1:" + std::to_string(port) + path;
  w.balancer = "balancer://app";
  w.params.hc.method = method;
  w.params.hc.interval = interval;
  w.params.hc.passes = passes;
  w.params.hc.fails = fails;
  w.params.timeout = std::chrono::seconds(10);
  w.params.timeout_set = true;
  return w;
}

inline std::shared_ptr<directives::Config> config_with(std::vector<directives::Worker> members,
                                                       std::vector<directives::HcCondition> conditions = {}) {
  auto cfg = std::make_shared<directives::Config>();
  directives::Balancer b;
  b.name = "balancer://app";
  b.vpath = "/";
  b.members = std::move(members);
  cfg->main.proxy.balancers.push_back(std::move(b));
  cfg->main.proxy.hc_conditions = std::move(conditions);
  return cfg;
}

// A persistence file of its own for every store (BalancerPersist On writes one; a new store reads it).
inline balancer::StoreOptions store_options() {
  static int n = 0;
  balancer::StoreOptions o;
  o.persist_path = (std::filesystem::temp_directory_path() /
                    ("bd-hcheck-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".state"))
                       .string();
  std::filesystem::remove(o.persist_path);
  return o;
}

// The member `name` of balancer://app in the main server.
inline balancer::WorkerState* state_of(const balancer::StateStore& store, const std::string& name) {
  auto* b = store.balancer(-1, "balancer://app");
  return b ? b->find_member(name) : nullptr;
}

} // namespace hctest
