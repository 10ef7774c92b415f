#pragma once
// The changes balancer-manager applies once the Referer and nonce checks have passed, in Apache's
// order and with Apache's validation (mod_proxy_balancer's balancer_process_balancer_worker): a value
// Apache would refuse changes nothing, and only adding a member can fail the request (400).
//
// Worker (when `w` names a member of the balancer): w_lf, w_wr, w_rr, w_status_I/N/D/H/R/S/C, w_ls,
// w_hi, w_hp, w_hf, w_hm, w_hu, w_he; then the health-check expression is cleared for methods that
// take none (NONE, TCP, CPING), and a member that became usable makes the balancer reset its lbmethod.
// Balancer: b_lbm, b_tmo, b_max, b_sforce, b_ss, then b_wyes=1 with b_nwrkr adds a member.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "directives/model/proxy_conf.hpp"
#include "server/balancer/balancer_state.hpp"
#include "server/balancer/manager_ops.hpp"
#include "server/balancer/state_store.hpp"
#include "server/manager/form_params.hpp"

namespace balancerd::manager {

struct UpdateContext {
  bool hcheck = false;                                 // mod_proxy_hcheck loaded (w_he is only read then)
  std::vector<directives::HcCondition> hc_exprs;       // ProxyHCExpr (w_he must name one)
  const directives::ProxyServerConf* server = nullptr; // defaults of an added member
};

struct UpdateOutcome {
  int status = 0;                              // 0, or 400 when adding a member failed
  bool changed = false;                        // something was written (the caller persists it)
  std::vector<std::string> logs;               // error-log lines Apache writes (AH10163, AH10164)
  std::vector<balancer::EditProblem> rejected; // values not taken as given, and why (JSON answer)
};

// ap_proxy_get_worker over a balancer's members: the longest member name that is a prefix of `url`
// and at least as long as its scheme://host[:port] part (compared lower-cased up to the path);
// "unix:PATH|URL" is looked up by URL. nullptr when none.
balancer::WorkerState* find_member(const balancer::BalancerState& b, std::string_view url);

// ap_proxy_get_balancer: "NAME" (a path after it is ignored, case-insensitive).
std::string balancer_url_for(std::string_view short_name);

// The validation and the changes are the balancer component's (manager_ops.hpp); this reads the
// fields from the parameters and keeps one Apache detail that component differs on (see the .cpp).
UpdateOutcome apply_updates(balancer::StateStore& store, balancer::BalancerState& b, balancer::WorkerState* w,
                            const Params& params, const UpdateContext& ctx);

} // namespace balancerd::manager
