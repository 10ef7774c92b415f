#include "server/balancer/health_state.hpp"

#include <cstdint>
#include <cstdio>

namespace balancerd::balancer {

using namespace directives;

bool hc_passed(WorkerState& w) {
  if (!w.has(kWorkerHcFail | kWorkerInError)) return false;
  const int pcount = w.hc_pcount.fetch_add(1) + 1;
  if (pcount < w.hc_passes.load()) return false;
  w.clear_bits(kWorkerHcFail | kWorkerInError);
  w.hc_pcount.store(0);
  return true;
}

bool hc_failed(WorkerState& w, TimePoint now) {
  w.set_error_time(now);
  if (w.has(kWorkerHcFail | kWorkerInError)) return false;
  const int fcount = w.hc_fcount.fetch_add(1) + 1;
  if (fcount < w.hc_fails.load()) return false;
  w.set_bits(kWorkerHcFail);
  w.hc_fcount.store(0);
  return true;
}

bool hc_should_check(const WorkerState& w) {
  return static_cast<HcMethod>(w.hc_method.load()) != HcMethod::None && !w.has(kWorkerStopped);
}

const char* hc_method_name(HcMethod m) {
  switch (m) {
  case HcMethod::None:
    return "NONE";
  case HcMethod::Tcp:
    return "TCP";
  case HcMethod::Options:
    return "OPTIONS";
  case HcMethod::Head:
    return "HEAD";
  case HcMethod::Get:
    return "GET";
  case HcMethod::Cping:
    return "CPING";
  case HcMethod::Provider:
    return "PROVIDER";
  case HcMethod::Options11:
    return "OPTIONS11";
  case HcMethod::Head11:
    return "HEAD11";
  case HcMethod::Get11:
    return "GET11";
  }
  return "NONE";
}

LogEvent hc_checking_log(const WorkerState& w, bool threaded) {
  return {LogSeverity::Debug,
          std::string("AH03256: ") + (threaded ? "Threaded " : "") + "Health checking " + w.name()};
}

LogEvent hc_result_log(const WorkerState& w, int check_status) {
  char id[32];
  std::snprintf(id, sizeof id, "%zx", reinterpret_cast<std::uintptr_t>(&w));
  return {LogSeverity::Debug, std::string("AH03251: Health check ") +
                                  hc_method_name(static_cast<HcMethod>(w.hc_method.load())) + " Status (" +
                                  std::to_string(check_status) + ") for " + id + "."};
}

} // namespace balancerd::balancer
