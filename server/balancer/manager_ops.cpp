#include "server/balancer/manager_ops.hpp"

#include "directives/ci_string.hpp"
#include "directives/modules/proxy_numbers.hpp"
#include "directives/modules/proxy_workers.hpp"
#include "server/balancer/health_state.hpp"
#include "server/balancer/lbmethods.hpp"
#include "server/balancer/state_store.hpp"

namespace balancerd::balancer {

using namespace directives;
using proxy::c_atof;
using proxy::c_atoi;

namespace {

// The health-check methods mod_proxy_hcheck implements for HTTP workers (the manager's list).
constexpr HcMethod kHcMethods[] = {HcMethod::None, HcMethod::Tcp,       HcMethod::Options, HcMethod::Head,
                                   HcMethod::Get,  HcMethod::Options11, HcMethod::Head11,  HcMethod::Get11};

// The method of that list a w_hm value names (any case), or none.
const HcMethod* hc_method_named(std::string_view name) {
  for (const HcMethod& m : kHcMethods)
    if (ci_equal(hc_method_name(m), name)) return &m;
  return nullptr;
}

// The manager's text fields: 1..63 characters are taken, anything else clears.
std::string short_text(const std::string& v) {
  return !v.empty() && v.size() <= kMaxShortText ? v : std::string();
}

void set_flag(WorkerState& w, const FormValue& v, unsigned bit) {
  if (!v) return;
  if (c_atoi(*v) != 0) {
    w.set_bits(bit);
  } else {
    w.clear_bits(bit);
  }
}

} // namespace

void apply_worker_edit(BalancerState* b, WorkerState& w, const WorkerEdit& e, bool hc_loaded,
                       const std::vector<HcCondition>& hc_conditions) {
  std::unique_lock<std::mutex> lock;
  if (b) lock = std::unique_lock<std::mutex>(b->mutex());
  const bool was_usable = w.usable();
  if (e.w_lf) {
    const int ival = static_cast<int>(c_atof(*e.w_lf) * 100.0);
    if (ival >= 100 && ival <= 10000) {
      w.lbfactor.store(ival);
      if (b) b->recalc_factors_locked();
    }
  }
  if (e.w_wr) w.set_route(short_text(*e.w_wr));
  if (e.w_rr) w.set_redirect(short_text(*e.w_rr));
  set_flag(w, e.w_status_I, kWorkerIgnoreErrors);
  set_flag(w, e.w_status_N, kWorkerDrain);
  set_flag(w, e.w_status_D, kWorkerDisabled);
  set_flag(w, e.w_status_H, kWorkerHotStandby);
  set_flag(w, e.w_status_R, kWorkerHotSpare);
  set_flag(w, e.w_status_S, kWorkerStopped);
  set_flag(w, e.w_status_C, kWorkerHcFail);
  if (e.w_ls) {
    const int ival = c_atoi(*e.w_ls);
    if (ival >= 0 && ival <= 99) w.lbset.store(ival);
  }
  if (e.w_hi) {
    // The watchdog's tick (100 ms) is the shortest interval.
    const auto hci = proxy::parse_timeout(*e.w_hi, "ms");
    if (hci && *hci >= std::chrono::milliseconds(100)) w.hc_interval_us.store(hci->count());
  }
  if (e.w_hp) {
    const int ival = c_atoi(*e.w_hp);
    if (ival >= 1) w.hc_passes.store(ival);
  }
  if (e.w_hf) {
    const int ival = c_atoi(*e.w_hf);
    if (ival >= 1) w.hc_fails.store(ival);
  }
  if (e.w_hm) {
    if (const HcMethod* m = hc_method_named(*e.w_hm)) w.hc_method.store(static_cast<int>(*m));
  }
  if (e.w_hu) w.set_hc_uri(short_text(*e.w_hu));
  if (hc_loaded && e.w_he) {
    bool valid = false;
    for (const HcCondition& c : hc_conditions) {
      if (ci_equal(c.name, *e.w_he)) valid = true;
    }
    w.set_hc_expr(!e.w_he->empty() && valid && e.w_he->size() <= kMaxHcExpr ? *e.w_he : std::string());
  }
  const auto method = static_cast<HcMethod>(w.hc_method.load());
  if (method == HcMethod::None || method == HcMethod::Tcp || method == HcMethod::Cping) w.set_hc_expr("");
  // A member coming back resets the lbmethod's counters at the next sync that sees a new stamp.
  if (b && !was_usable && w.usable()) b->request_reset(false);
}

EditResult apply_balancer_edit(StateStore& store, BalancerState& b, const BalancerEdit& e,
                               const ProxyServerConf& server_conf) {
  EditResult result;
  std::lock_guard lock(b.mutex());
  BalancerSettings& st = b.settings_locked();
  if (e.b_lbm) {
    // Apache's lbpname buffer holds 15 characters plus the terminator.
    if (e.b_lbm->size() < 15 && *e.b_lbm != st.lbmethod && lbmethod_known(*e.b_lbm)) {
      st.lbmethod = *e.b_lbm;
      b.request_reset();
    }
  }
  if (e.b_tmo) {
    const int ival = c_atoi(*e.b_tmo);
    if (ival >= 0 && ival <= 7200) st.timeout = std::chrono::seconds(ival);
  }
  if (e.b_max) {
    const int ival = c_atoi(*e.b_max);
    if (ival >= 0 && ival <= 99) {
      st.max_attempts = ival;
      st.max_attempts_set = true;
    }
  }
  if (e.b_sforce) st.sticky_force = c_atoi(*e.b_sforce) != 0;
  if (e.b_ss && !e.b_ss->empty() && e.b_ss->size() < 63) {
    if (*e.b_ss == "-") {
      st.sticky.clear();
      st.sticky_path.clear();
    } else if (const std::size_t bar = e.b_ss->find('|'); bar != std::string::npos) {
      st.sticky = e.b_ss->substr(0, bar);
      st.sticky_path = e.b_ss->substr(bar + 1);
    } else {
      st.sticky = *e.b_ss;
      st.sticky_path = *e.b_ss;
    }
  }
  if (e.b_wyes && *e.b_wyes == "1" && e.b_nwrkr) {
    const std::string& url = *e.b_nwrkr;
    if (b.find_member(url) || b.size() >= b.capacity()) {
      result.http_status = 400;
      result.log = "AH10164: " + b.name() + ": failed to add worker " + url;
      return result;
    }
    Worker w;
    if (proxy::make_worker(url, 0, true, w)) {
      result.http_status = 400;
      result.log = "AH10163: " + b.name() + ": failed to add worker " + url;
      return result;
    }
    w.balancer = b.name();
    proxy::copy_conf_params(w.params, server_conf);
    WorkerState& ws = store.create_worker(w);
    // Apache adds every new member disabled.
    ws.set_bits(kWorkerDisabled);
    b.add_member_locked(&ws);
  }
  return result;
}

namespace {

void problem(std::vector<EditProblem>& out, const char* param, const FormValue& v, const char* reason) {
  out.push_back({param, *v, reason});
}

void check_text(std::vector<EditProblem>& out, const char* param, const FormValue& v) {
  if (v && v->size() > kMaxShortText)
    problem(out, param, v, "longer than 63 characters: the field was cleared");
}

} // namespace

std::vector<EditProblem> check_worker_edit(const WorkerEdit& e, bool hc_loaded,
                                           const std::vector<HcCondition>& hc_conditions) {
  std::vector<EditProblem> out;
  if (e.w_lf) {
    const int ival = static_cast<int>(c_atof(*e.w_lf) * 100.0);
    if (ival < 100 || ival > 10000) problem(out, "w_lf", e.w_lf, "not a load factor from 1 to 100: ignored");
  }
  check_text(out, "w_wr", e.w_wr);
  check_text(out, "w_rr", e.w_rr);
  if (e.w_ls) {
    const int ival = c_atoi(*e.w_ls);
    if (ival < 0 || ival > 99) problem(out, "w_ls", e.w_ls, "not an lbset from 0 to 99: ignored");
  }
  if (e.w_hi) {
    const auto hci = proxy::parse_timeout(*e.w_hi, "ms");
    if (!hci || *hci < std::chrono::milliseconds(100))
      problem(out, "w_hi", e.w_hi, "not an interval of at least 100 ms: ignored");
  }
  if (e.w_hp && c_atoi(*e.w_hp) < 1) problem(out, "w_hp", e.w_hp, "passes must be at least 1: ignored");
  if (e.w_hf && c_atoi(*e.w_hf) < 1) problem(out, "w_hf", e.w_hf, "fails must be at least 1: ignored");
  if (e.w_hm) {
    if (!hc_method_named(*e.w_hm)) problem(out, "w_hm", e.w_hm, "not a health-check method: ignored");
  }
  check_text(out, "w_hu", e.w_hu);
  if (hc_loaded && e.w_he && !e.w_he->empty()) {
    bool valid = false;
    for (const HcCondition& c : hc_conditions) valid = valid || ci_equal(c.name, *e.w_he);
    if (!valid || e.w_he->size() > kMaxHcExpr)
      problem(out, "w_he", e.w_he, "no ProxyHCExpr of that name: the field was cleared");
  }
  return out;
}

std::vector<EditProblem> check_balancer_edit(const BalancerEdit& e) {
  std::vector<EditProblem> out;
  if (e.b_lbm && (e.b_lbm->size() >= 15 || !lbmethod_known(*e.b_lbm)))
    problem(out, "b_lbm", e.b_lbm, "not a loaded lbmethod: ignored");
  if (e.b_tmo) {
    const int ival = c_atoi(*e.b_tmo);
    if (ival < 0 || ival > 7200)
      problem(out, "b_tmo", e.b_tmo, "not a timeout from 0 to 7200 seconds: ignored");
  }
  if (e.b_max) {
    const int ival = c_atoi(*e.b_max);
    if (ival < 0 || ival > 99) problem(out, "b_max", e.b_max, "not a failover count from 0 to 99: ignored");
  }
  if (e.b_ss && (e.b_ss->empty() || e.b_ss->size() >= 63))
    problem(out, "b_ss", e.b_ss, "a sticky session name must have 1 to 62 characters: ignored");
  return out;
}

} // namespace balancerd::balancer
