#pragma once
// mod_proxy_hcheck's state machine on a worker, for the health-check runner to call after each
// check (the runner does the I/O; this decides the flags).
#include "server/balancer/log_event.hpp"
#include "server/balancer/worker_state.hpp"

#include <optional>

namespace balancerd::balancer {

// A check succeeded: in HcFl or Err state, pcount+1; at pcount >= hcpasses clear C and E (pcount=0).
// Returns Apache's info line when the worker was enabled again.
std::optional<LogEvent> hc_passed(WorkerState& w);
// A check failed: error_time = now; unless already HcFl, fcount+1; at fcount >= hcfails set C
// (fcount=0). Returns Apache's info line when the worker was disabled.
std::optional<LogEvent> hc_failed(WorkerState& w, TimePoint now);
// Whether the runner should check this worker (method not NONE, not disabled, not stopped).
bool hc_should_check(const WorkerState& w);

} // namespace balancerd::balancer
