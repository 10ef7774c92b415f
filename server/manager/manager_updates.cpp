#include "server/manager/manager_updates.hpp"

#include <mutex>

#include "directives/ci_string.hpp"
#include "server/balancer/manager_ops.hpp"
#include "server/manager/page_model.hpp"

namespace balancerd::manager {

namespace d = directives;
using balancer::WorkerState;

namespace {

balancer::FormValue value(const Params& params, std::string_view key) {
  if (const std::string* v = params.get(key)) return *v;
  return std::nullopt;
}

} // namespace

std::string balancer_url_for(std::string_view short_name) {
  if (auto slash = short_name.find('/'); slash != std::string_view::npos)
    short_name = short_name.substr(0, slash);
  return "balancer://" + d::ascii_lower(short_name);
}

WorkerState* find_member(const balancer::BalancerState& b, std::string_view url) {
  if (d::ci_starts_with(url, "unix:")) {
    const auto bar = url.find('|');
    if (bar == std::string_view::npos) return nullptr;
    url = url.substr(bar + 1);
  }
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || url.size() < colon + 4 || url[colon + 1] != '/' ||
      url[colon + 2] != '/')
    return nullptr;
  std::string copy(url);
  const auto path = copy.find('/', colon + 3);
  const std::size_t min_match = path == std::string::npos ? copy.size() : path;
  for (std::size_t i = 0; i < min_match; ++i) copy[i] = d::ascii_lower(copy[i]);
  WorkerState* best = nullptr;
  std::size_t best_len = 0;
  for (std::size_t i = 0, n = b.size(); i < n; ++i) {
    WorkerState& w = b.member(i);
    const std::string& name = w.name();
    if (name.size() <= copy.size() && name.size() >= min_match && name.size() > best_len &&
        copy.compare(0, name.size(), name) == 0) {
      best = &w;
      best_len = name.size();
    }
  }
  return best;
}

UpdateOutcome apply_updates(balancer::StateStore& store, balancer::BalancerState& b, WorkerState* w,
                            const Params& params, const UpdateContext& ctx) {
  UpdateOutcome out;
  out.changed = true;
  if (w) {
    balancer::WorkerEdit e;
    e.w_lf = value(params, "w_lf");
    e.w_wr = value(params, "w_wr");
    e.w_rr = value(params, "w_rr");
    e.w_status_I = value(params, "w_status_I");
    e.w_status_N = value(params, "w_status_N");
    e.w_status_D = value(params, "w_status_D");
    e.w_status_H = value(params, "w_status_H");
    e.w_status_R = value(params, "w_status_R");
    e.w_status_S = value(params, "w_status_S");
    e.w_status_C = value(params, "w_status_C");
    e.w_ls = value(params, "w_ls");
    e.w_hi = value(params, "w_hi");
    e.w_hp = value(params, "w_hp");
    e.w_hf = value(params, "w_hf");
    e.w_hm = value(params, "w_hm");
    e.w_hu = value(params, "w_hu");
    e.w_he = value(params, "w_he");
    out.rejected = balancer::check_worker_edit(e, ctx.hcheck, ctx.hc_exprs);
    balancer::apply_worker_edit(&b, *w, e, ctx.hcheck, ctx.hc_exprs);
  }
  balancer::BalancerEdit e;
  e.b_lbm = value(params, "b_lbm");
  e.b_tmo = value(params, "b_tmo");
  e.b_max = value(params, "b_max");
  e.b_sforce = value(params, "b_sforce");
  e.b_ss = value(params, "b_ss");
  e.b_wyes = value(params, "b_wyes");
  e.b_nwrkr = value(params, "b_nwrkr");
  // Apache 2.4.71's b_max changes maxattempts without marking it set (verified: a one-member
  // balancer's ?xml still has no <httpd:maxattempts> after b_max=3), so the flag is kept as it was.
  const bool max_attempts_set = b.settings().max_attempts_set;
  for (auto& p : balancer::check_balancer_edit(e)) out.rejected.push_back(std::move(p));
  static const directives::ProxyServerConf no_server;
  const balancer::EditResult r =
      balancer::apply_balancer_edit(store, b, e, ctx.server ? *ctx.server : no_server);
  {
    std::lock_guard lock(b.mutex());
    b.settings_locked().max_attempts_set = max_attempts_set;
  }
  if (r.http_status != 200) out.status = r.http_status;
  if (r.log) out.logs.push_back(*r.log);
  return out;
}

} // namespace balancerd::manager
