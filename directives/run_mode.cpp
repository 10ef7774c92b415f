#include "directives/run_mode.hpp"

#include <atomic>

namespace balancerd::directives {

namespace {
std::atomic<RunMode> current{RunMode::Normal};
} // namespace

void set_run_mode(RunMode mode) {
  current.store(mode, std::memory_order_relaxed);
}
RunMode run_mode() {
  return current.load(std::memory_order_relaxed);
}

} // namespace balancerd::directives
