#include "server/manager/manager_updates.hpp"

#include <cerrno>
#include <cstdlib>
#include <mutex>

#include "server/http/request.hpp"
#include "server/manager/added_workers.hpp"
#include "server/manager/page_model.hpp"

namespace balancerd::manager {

namespace d = directives;
using balancer::WorkerState;

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Route, redirect and hcuri: Apache keeps 1..63 characters and clears the field otherwise.
bool short_text_ok(const std::string& v) {
  return !v.empty() && v.size() <= balancer::kMaxShortText;
}

void set_flag(WorkerState& w, const Params& params, std::string_view key, unsigned bit) {
  if (const std::string* v = params.get(key)) {
    if (c_atoi(*v) != 0)
      w.set_bits(bit);
    else
      w.clear_bits(bit);
  }
}

void apply_worker(balancer::BalancerState& b, WorkerState& w, const Params& params, const UpdateContext& ctx,
                  UpdateOutcome& out) {
  const bool was_usable = w.usable();
  if (const std::string* v = params.get("w_lf")) {
    const int ival = static_cast<int>(c_atof(*v) * 100.0);
    if (ival >= 100 && ival <= 10000) {
      w.lbfactor.store(ival);
      b.recalc_factors_locked();
    }
  }
  if (const std::string* v = params.get("w_wr")) w.set_route(short_text_ok(*v) ? *v : std::string());
  if (const std::string* v = params.get("w_rr")) w.set_redirect(short_text_ok(*v) ? *v : std::string());
  set_flag(w, params, "w_status_I", d::kWorkerIgnoreErrors);
  set_flag(w, params, "w_status_N", d::kWorkerDrain);
  set_flag(w, params, "w_status_D", d::kWorkerDisabled);
  set_flag(w, params, "w_status_H", d::kWorkerHotStandby);
  set_flag(w, params, "w_status_R", d::kWorkerHotSpare);
  set_flag(w, params, "w_status_S", d::kWorkerStopped);
  set_flag(w, params, "w_status_C", d::kWorkerHcFail);
  if (const std::string* v = params.get("w_ls")) {
    const int ival = c_atoi(*v);
    if (ival >= 0 && ival <= 99) w.lbset.store(ival);
  }
  if (const std::string* v = params.get("w_hi")) {
    std::int64_t us = 0;
    if (parse_time_parameter(*v, "ms", us) && us >= 100'000) w.hc_interval_us.store(us); // AP_WD_TM_SLICE
  }
  if (const std::string* v = params.get("w_hp")) {
    const int ival = c_atoi(*v);
    if (ival >= 1) w.hc_passes.store(ival);
  }
  if (const std::string* v = params.get("w_hf")) {
    const int ival = c_atoi(*v);
    if (ival >= 1) w.hc_fails.store(ival);
  }
  if (const std::string* v = params.get("w_hm")) {
    for (const auto& m : hc_method_names())
      if (http::iequals(m.name, *v) && hc_method_implemented(m.method, ctx.cping))
        w.hc_method.store(static_cast<int>(m.method));
  }
  if (const std::string* v = params.get("w_hu")) w.set_hc_uri(short_text_ok(*v) ? *v : std::string());
  if (ctx.hcheck) {
    if (const std::string* v = params.get("w_he")) {
      bool known = false;
      for (const auto& e : ctx.hc_exprs) known = known || e.first == *v;
      w.set_hc_expr(!v->empty() && known && v->size() <= balancer::kMaxHcExpr ? *v : std::string());
    }
  }
  const auto method = static_cast<d::HcMethod>(w.hc_method.load());
  if (method == d::HcMethod::None || method == d::HcMethod::Tcp || method == d::HcMethod::Cping)
    w.set_hc_expr("");
  if (!was_usable && w.usable()) b.request_reset();
  out.changed = true;
}

void apply_balancer(balancer::BalancerState& b, const Params& params, const UpdateContext& ctx,
                    UpdateOutcome& out) {
  auto& s = b.settings_locked();
  if (const std::string* v = params.get("b_lbm")) {
    // lbpname is a 16-byte buffer; the provider lookup is by exact (case-sensitive) name.
    if (v->size() < 15 && *v != s.lbmethod) {
      for (const auto& name : ctx.lbmethods) {
        if (name == *v) {
          s.lbmethod = *v;
          b.request_reset();
          break;
        }
      }
    }
  }
  if (const std::string* v = params.get("b_tmo")) {
    const int ival = c_atoi(*v);
    if (ival >= 0 && ival <= 7200) s.timeout = std::chrono::seconds(ival);
  }
  if (const std::string* v = params.get("b_max")) {
    const int ival = c_atoi(*v);
    if (ival >= 0 && ival <= 99) s.max_attempts = ival;
  }
  if (const std::string* v = params.get("b_sforce")) s.sticky_force = c_atoi(*v) != 0;
  if (const std::string* v = params.get("b_ss"); v && !v->empty() && v->size() < 63) {
    if (*v == "-") {
      s.sticky.clear();
      s.sticky_path.clear();
    } else if (auto bar = v->find('|'); bar != std::string::npos) {
      s.sticky = v->substr(0, bar);
      s.sticky_path = v->substr(bar + 1);
    } else {
      s.sticky = *v;
      s.sticky_path = *v;
    }
  }
  out.changed = true;
  const std::string* yes = params.get("b_wyes");
  const std::string* url = params.get("b_nwrkr");
  if (!yes || *yes != "1" || !url) return;
  if (find_member(b, *url) == nullptr && b.size() < b.capacity()) {
    std::string error;
    static const d::ProxyServerConf no_server;
    WorkerState* added = define_added_worker(*url, b.name(), ctx.server ? *ctx.server : no_server, error);
    if (added && b.add_member_locked(added)) return;
    out.logs.push_back("AH10163: " + b.name() + ": failed to add worker " + *url);
  } else {
    out.logs.push_back("AH10164: " + b.name() + ": failed to add worker " + *url);
  }
  out.status = 400;
}

} // namespace

int c_atoi(const std::string& s) {
  return std::atoi(s.c_str());
}

double c_atof(const std::string& s) {
  return std::atof(s.c_str());
}

bool parse_time_parameter(std::string_view text, std::string_view default_unit, std::int64_t& micros) {
  const std::string s(text);
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0) return false;
  std::string_view unit = (end == nullptr || *end == '\0') ? default_unit : std::string_view(end);
  if (n < 0) return false;
  constexpr std::int64_t kMax = INT64_MAX;
  auto scaled = [&](std::int64_t factor) {
    if (n > kMax / factor) return false;
    micros = n * factor;
    return true;
  };
  if (unit.empty()) return false;
  switch (unit[0]) {
  case 's':
    return scaled(1'000'000);
  case 'h':
    return scaled(3'600'000'000LL);
  case 'm':
    if (unit.size() > 1 && unit[1] == 's') return scaled(1'000);
    if (unit.size() > 1 && unit[1] == 'i') return scaled(60'000'000);
    return false;
  default:
    return false;
  }
}

std::string balancer_url_for(std::string_view short_name) {
  if (auto slash = short_name.find('/'); slash != std::string_view::npos)
    short_name = short_name.substr(0, slash);
  std::string url = "balancer://";
  for (char c : short_name) url.push_back(lower(c));
  return url;
}

WorkerState* find_member(const balancer::BalancerState& b, std::string_view url) {
  if (url.size() >= 5 && http::iequals(url.substr(0, 5), "unix:")) {
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
  for (std::size_t i = 0; i < min_match; ++i) copy[i] = lower(copy[i]);
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

UpdateOutcome apply_updates(balancer::BalancerState& b, WorkerState* w, const Params& params,
                            const UpdateContext& ctx) {
  UpdateOutcome out;
  std::lock_guard lock(b.mutex());
  if (w) apply_worker(b, *w, params, ctx, out);
  apply_balancer(b, params, ctx, out);
  return out;
}

} // namespace balancerd::manager
