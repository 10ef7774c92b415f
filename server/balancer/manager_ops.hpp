#pragma once
// balancer-manager's changes (mod_proxy_balancer's balancer_process_balancer_worker and the
// balancer part of balancer_handler), with Apache's acceptance rules, applied under the balancer
// lock so they take effect at once on every thread. The caller (the manager handler) has already
// checked the Referer and the nonce and decoded the form; values are the raw decoded strings.
#include "directives/model/proxy_conf.hpp"
#include "server/balancer/balancer_state.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::balancer {

class StateStore;

using FormValue = std::optional<std::string>;

// Worker form fields (absent = not sent).
struct WorkerEdit {
  FormValue w_lf, w_wr, w_rr;
  FormValue w_status_I, w_status_N, w_status_D, w_status_H, w_status_R, w_status_S, w_status_C;
  FormValue w_ls, w_hi, w_hp, w_hf, w_hm, w_hu, w_he;
};

// Applies a worker edit in Apache's order: w_lf (1.00..100.00, then recalc_factors), w_wr, w_rr
// (1..63 chars else cleared), the status flags (atoi != 0 sets), w_ls (0..99), w_hi (>=100 ms, unit
// ms), w_hp/w_hf (>=1), w_hm (implemented method names, case-insensitive), w_hu (<64 else cleared),
// w_he (a name for which `hc_expr_valid` says yes and < 16 chars, else cleared; ignored when
// `hc_loaded` is false); hcexpr is cleared for NONE/TCP/CPING. A worker that becomes usable sets
// the balancer's need_reset. `b` is the balancer of `w` (may be null for a plain worker).
void apply_worker_edit(BalancerState* b, WorkerState& w, const WorkerEdit& edit, bool hc_loaded,
                       const std::vector<directives::HcCondition>& hc_conditions);

struct BalancerEdit {
  FormValue b_lbm, b_tmo, b_max, b_sforce, b_ss, b_wyes, b_nwrkr;
};

struct EditResult {
  int http_status = 200;          // 400 when adding a member failed (as Apache answers)
  std::optional<std::string> log; // Apache's log line for the failure (AH10163 / AH10164 ...)
};

// Applies a balancer edit: b_lbm (a known, different method -> need_reset), b_tmo (0..7200 s), b_max
// (0..99), b_sforce (atoi != 0), b_ss ("-" clears; "C|P"; < 63 chars; empty ignored), b_wyes=1 +
// b_nwrkr (a new member when the URL is valid, not yet a member and a slot is free; it starts
// Disabled with the server's proxy defaults). `server_conf` is the merged proxy config of the
// balancer's server (for the new worker's defaults); `store` owns the new WorkerState.
EditResult apply_balancer_edit(StateStore& store, BalancerState& b, const BalancerEdit& edit,
                               const directives::ProxyServerConf& server_conf);

// Why a value is not taken as given (Apache ignores it, or clears the field, and says nothing): the
// same rules as apply_worker_edit / apply_balancer_edit, for the manager's JSON answer. A value that
// is taken gives no entry; an empty route or redirect is a deliberate clear, not a problem.
struct EditProblem {
  std::string param, value, reason;
  bool operator==(const EditProblem&) const = default;
};
std::vector<EditProblem> check_worker_edit(const WorkerEdit& edit, bool hc_loaded,
                                           const std::vector<directives::HcCondition>& hc_conditions);
std::vector<EditProblem> check_balancer_edit(const BalancerEdit& edit);

} // namespace balancerd::balancer
