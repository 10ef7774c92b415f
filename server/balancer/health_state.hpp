#pragma once
// mod_proxy_hcheck's state machine on a worker, for the health-check runner to call after each
// check (the runner does the I/O; this decides the flags).
#include "server/balancer/log_event.hpp"
#include "server/balancer/worker_state.hpp"

namespace balancerd::balancer {

// A check succeeded: in HcFl or Err state, pcount+1; at pcount >= hcpasses clear C and E (pcount=0).
// Returns whether the worker was enabled again.
bool hc_passed(WorkerState& w);
// A check failed: error_time = now; unless already HcFl, fcount+1; at fcount >= hcfails set C
// (fcount=0). Returns whether the worker was disabled.
bool hc_failed(WorkerState& w, TimePoint now);
// Whether the runner should check this worker (method not NONE, not disabled, not stopped).
bool hc_should_check(const WorkerState& w);
// mod_proxy_hcheck's name for a method ("GET", "OPTIONS11", ...).
const char* hc_method_name(directives::HcMethod m);
// The line Apache logs after a check: "AH03251: Health check GET Status (1) for http://h:1." (the
// method, the worker's status bits in decimal, the worker).
LogEvent hc_result_log(const WorkerState& w);

} // namespace balancerd::balancer
