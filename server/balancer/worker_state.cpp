#include "server/balancer/worker_state.hpp"

#include "directives/modules/proxy_workers.hpp"

namespace balancerd::balancer {

using namespace directives;

namespace {

struct StatusText {
  unsigned bit;
  const char* text;
};

// Apache's table order (proxy_wstat_tbl): the status string follows it.
constexpr StatusText kStatusTexts[] = {
    {kWorkerInitialized, "Init "}, {kWorkerIgnoreErrors, "Ign "}, {kWorkerDrain, "Drn "},
    {kWorkerGeneric, "Gen "},      {kWorkerInShutdown, "Shut "},  {kWorkerDisabled, "Dis "},
    {kWorkerStopped, "Stop "},     {kWorkerInError, "Err "},      {kWorkerHotStandby, "Stby "},
    {kWorkerFree, "Free "},        {kWorkerHcFail, "HcFl "},      {kWorkerHotSpare, "Spar "},
};

std::int64_t to_us(TimePoint t) {
  return std::chrono::duration_cast<Micros>(t.time_since_epoch()).count();
}

std::string clip(std::string_view s, std::size_t max) {
  return std::string(s.substr(0, max));
}

} // namespace

bool status_usable(unsigned status) {
  constexpr unsigned unusable =
      kWorkerInShutdown | kWorkerDisabled | kWorkerStopped | kWorkerInError | kWorkerHcFail;
  return (status & kWorkerInitialized) != 0 && (status & unusable) == 0;
}

std::string status_string(unsigned status) {
  std::string out;
  for (const StatusText& t : kStatusTexts) {
    if (status & t.bit) out += t.text;
  }
  if (out.empty()) out = "??? ";
  if (status_usable(status)) out += "Ok ";
  return out;
}

bool WorkerView::usable() const {
  return status_usable(status);
}

WorkerState::WorkerState(const Worker& config)
    : config_(config), name_(config.name), display_name_(proxy::worker_display_name(config)),
      hostname_(config.hostname), port_(config.port) {
  apply_config(config);
}

WorkerState::WorkerState(std::string name, std::string display_name, std::string hostname, std::uint16_t port)
    : name_(std::move(name)), display_name_(std::move(display_name)), hostname_(std::move(hostname)),
      port_(port) {
  // The URL's own defaults (what BalancerMember would give it); identity fields as recorded.
  proxy::make_worker(name_, 0, true, config_);
  config_.name = name_;
  config_.hostname = hostname_;
  config_.port = port_;
}

bool WorkerState::retry(TimePoint now) {
  const unsigned st = status();
  if (!(st & kWorkerInError)) return true;
  if (st & kWorkerStopped) return false;
  const std::int64_t due =
      error_time_us.load(std::memory_order_acquire) + retry_us.load(std::memory_order_relaxed);
  if ((st & kWorkerIgnoreErrors) || to_us(now) > due) {
    retries.fetch_add(1, std::memory_order_relaxed);
    clear_bits(kWorkerInError);
    return true;
  }
  return false;
}

TimePoint WorkerState::error_time() const {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(Micros(error_time_us.load())));
}

void WorkerState::set_error_time(TimePoint t) {
  error_time_us.store(to_us(t), std::memory_order_release);
}

std::string WorkerState::route() const {
  if (!has_route_.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(text_mu_);
  return route_;
}
std::string WorkerState::redirect() const {
  std::lock_guard lock(text_mu_);
  return redirect_;
}
std::string WorkerState::hc_uri() const {
  std::lock_guard lock(text_mu_);
  return hc_uri_;
}
std::string WorkerState::hc_expr() const {
  std::lock_guard lock(text_mu_);
  return hc_expr_;
}
bool WorkerState::route_equals(std::string_view r) const {
  if (!has_route_.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(text_mu_);
  return !route_.empty() && route_ == r;
}
void WorkerState::set_route(std::string_view r) {
  std::lock_guard lock(text_mu_);
  route_ = clip(r, kMaxShortText);
  has_route_.store(!route_.empty(), std::memory_order_release);
}
void WorkerState::set_redirect(std::string_view r) {
  std::lock_guard lock(text_mu_);
  redirect_ = clip(r, kMaxShortText);
}
void WorkerState::set_hc_uri(std::string_view u) {
  std::lock_guard lock(text_mu_);
  hc_uri_ = clip(u, kMaxShortText);
}
void WorkerState::set_hc_expr(std::string_view e) {
  std::lock_guard lock(text_mu_);
  hc_expr_ = clip(e, kMaxHcExpr);
}

void WorkerState::apply_config(const Worker& config) {
  const WorkerParams& p = config.params;
  retry_us.store(p.retry.count());
  hc_interval_us.store(p.hc.interval.count());
  hc_passes.store(p.hc.passes);
  hc_fails.store(p.hc.fails);
  hc_method.store(static_cast<int>(p.hc.method));
  lbfactor.store(p.lbfactor);
  lbset.store(p.lbset);
  status_.store(p.status | kWorkerInitialized);
  set_route(p.route);
  set_redirect(p.redirect);
  set_hc_uri(p.hc.uri);
  set_hc_expr(p.hc.expr);
}

WorkerView WorkerState::view() const {
  WorkerView v;
  v.name = display_name_;
  {
    std::lock_guard lock(text_mu_);
    v.route = route_;
    v.redirect = redirect_;
    v.hc_uri = hc_uri_;
    v.hc_expr = hc_expr_;
  }
  v.lbfactor = lbfactor.load();
  v.lbset = lbset.load();
  v.status = status();
  v.lbstatus = lbstatus.load();
  v.elected = elected.load();
  v.busy = busy.load();
  v.transferred = transferred.load();
  v.read = read.load();
  v.error_time = error_time();
  v.retries = retries.load();
  v.retry = Micros(retry_us.load());
  v.hc_method = static_cast<HcMethod>(hc_method.load());
  v.hc_interval = Micros(hc_interval_us.load());
  v.hc_passes = hc_passes.load();
  v.hc_fails = hc_fails.load();
  v.hc_pcount = hc_pcount.load();
  v.hc_fcount = hc_fcount.load();
  return v;
}

void WorkerState::restore(const WorkerView& v) {
  {
    std::lock_guard lock(text_mu_);
    route_ = clip(v.route, kMaxShortText);
    has_route_.store(!route_.empty(), std::memory_order_release);
    redirect_ = clip(v.redirect, kMaxShortText);
    hc_uri_ = clip(v.hc_uri, kMaxShortText);
    hc_expr_ = clip(v.hc_expr, kMaxHcExpr);
  }
  lbfactor.store(v.lbfactor);
  lbset.store(v.lbset);
  status_.store(v.status);
  lbstatus.store(v.lbstatus);
  elected.store(v.elected);
  busy.store(v.busy);
  transferred.store(v.transferred);
  read.store(v.read);
  set_error_time(v.error_time);
  retries.store(v.retries);
  retry_us.store(v.retry.count());
  hc_method.store(static_cast<int>(v.hc_method));
  hc_interval_us.store(v.hc_interval.count());
  hc_passes.store(v.hc_passes);
  hc_fails.store(v.hc_fails);
  hc_pcount.store(v.hc_pcount);
  hc_fcount.store(v.hc_fcount);
}

} // namespace balancerd::balancer
