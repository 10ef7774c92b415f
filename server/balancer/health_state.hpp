#pragma once
// mod_proxy_hcheck's state machine on a worker, for the health-check runner to call after each
// check (the runner does the I/O; this decides the flags).
#include "server/balancer/log_event.hpp"
#include "server/balancer/worker_state.hpp"

namespace balancerd::balancer {

// A check succeeded: in HcFl or Err state, pcount+1; at pcount >= hcpasses clear C and E (pcount=0).
// Returns whether the worker was enabled again.
bool hc_passed(WorkerState& w);
// A check failed: error_time = now; unless already HcFl or Err, fcount+1; at fcount >= hcfails set
// C (fcount=0). Returns whether the worker was disabled. (apache2 2.4.71: a worker started with
// status=+E is checked, fails, and stays "Init Err " without HcFl; a disabled one gets "Dis HcFl".)
bool hc_failed(WorkerState& w, TimePoint now);
// Whether the runner should check this worker: a method other than NONE and not stopped (apache2
// 2.4.71 checks disabled, draining and in-error workers, but not stopped ones).
bool hc_should_check(const WorkerState& w);
// mod_proxy_hcheck's name for a method ("GET", "OPTIONS11", ...).
const char* hc_method_name(directives::HcMethod m);
// Apache's debug lines around a check (verified with apache2 2.4.71, proxy_hcheck:debug):
// "AH03256: Threaded Health checking http://127.0.0.1:28461" before it ("Health checking" without
// the thread pool, ProxyHCTPsize 0), and "AH03251: Health check TCP Status (-1) for 7f5a3f8bf360."
// after it: the method, the check's result (-1 failed, 0 a TCP success, else what the runner got)
// and the worker's address, which Apache prints as a bare pointer.
LogEvent hc_checking_log(const WorkerState& w, bool threaded);
LogEvent hc_result_log(const WorkerState& w, int check_status);

} // namespace balancerd::balancer
