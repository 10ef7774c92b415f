#include "server/hcheck/health_checker.hpp"

#include "directives/ci_string.hpp"
#include "directives/model/config.hpp"
#include "directives/modules/proxy_merge.hpp"
#include "server/balancer/health_state.hpp"
#include "server/balancer/state_store.hpp"
#include "server/expr/expr_eval.hpp"
#include "server/hcheck/hc_expr.hpp"
#include "server/hcheck/hc_probe.hpp"
#include "server/hcheck/hc_request.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <thread>
#include <vector>

namespace balancerd::hcheck {

namespace asio = boost::asio;
using directives::HcMethod;
using std::chrono::microseconds;

namespace {

constexpr int kDefaultTpSize = 16;
constexpr auto kRescanEvery = std::chrono::seconds(1); // picks up members added by balancer-manager
constexpr microseconds kDefaultTimeout = std::chrono::seconds(60);

// A server's ProxyHCExpr conditions, parsed once per configuration.
struct Condition {
  std::string name;
  std::shared_ptr<const directives::expr::Expr> expr; // null if it did not parse
};
using Conditions = std::vector<Condition>;

const Condition* find_condition(const Conditions& list, std::string_view name) {
  for (const Condition& c : list)
    if (directives::ci_equal(c.name, name)) return &c;
  return nullptr;
}

// What the configuration says about one checked member (none for a member added at run time).
struct MemberConfig {
  microseconds connect_timeout = kDefaultTimeout;
  microseconds io_timeout = kDefaultTimeout;
  std::string uds_path; // absolute socket path of a "unix:...|http://..." worker
};

struct Entry {
  explicit Entry(asio::io_context& io) : timer(io) {}
  balancer::WorkerState* ws = nullptr; // the first server's copy: its settings drive the check
  // Every server's copy of this member (a balancer inherited by <VirtualHost>s has one per server in
  // the store); one check per interval serves them all, as Apache checks a shared worker once.
  std::vector<balancer::WorkerState*> copies;
  std::string balancer;
  MemberConfig conf;
  std::shared_ptr<const Conditions> conditions;      // this server's
  std::shared_ptr<const Conditions> main_conditions; // the main server's (fallback)
  asio::steady_timer timer;
  bool in_flight = false;
  bool removed = false;
  bool announced = false; // AH03248 logged
};

// "scheme://host:port" of a worker name (Apache names its hc worker that way).
std::string_view origin_of(std::string_view name) {
  const std::string_view path = worker_url_path(name);
  return name.substr(0, name.size() - path.size());
}

std::string pointer_text(const void* p) {
  return fmt::format("{:x}", reinterpret_cast<std::uintptr_t>(p));
}

// Whether `config` can ever have a member to check: mod_proxy_hcheck is loaded (balancer-manager
// may then give a member an hcmethod at run time), or some balancer member has one already. A
// server without either never starts the checker's thread, which would otherwise wake every second.
bool wants_checks(const directives::Config& config) {
  for (const directives::LoadedModule& m : config.modules)
    if (m.id == "proxy_hcheck_module") return true;
  auto any = [](const directives::ServerConf& sc) {
    for (const directives::Balancer& b : sc.proxy.balancers)
      for (const directives::Worker& w : b.members)
        if (w.params.hc.method != HcMethod::None) return true;
    return false;
  };
  if (any(config.main)) return true;
  return std::any_of(config.vhosts.begin(), config.vhosts.end(), any);
}

} // namespace

struct HealthChecker::Impl {
  Impl(balancer::StateStore& s, HealthCheckerOptions o) : store(s), options(std::move(o)) {}

  balancer::StateStore& store;
  HealthCheckerOptions options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  std::thread thread;
  std::mutex stop_mu;
  bool stopped = false;

  // What rescan() needs of each server (index 0 = main, i + 1 = vhost i), derived once per config.
  struct ServerInfo {
    directives::ProxyServerConf proxy; // merged with the main server's, as the store builds it
    std::shared_ptr<const Conditions> conditions;
    microseconds timeout = kDefaultTimeout; // Timeout
  };

  // Checker-thread state.
  std::shared_ptr<const directives::Config> config;
  std::vector<ServerInfo> servers;
  // Keyed by balancer and worker name: a reload may give a surviving member a new WorkerState; its
  // schedule and a check under way carry over to it.
  std::map<std::string, std::shared_ptr<Entry>> entries;
  std::deque<std::shared_ptr<Entry>> queue;
  int in_flight = 0;
  int limit = kDefaultTpSize;
  bool threaded = true;
  std::unique_ptr<asio::steady_timer> rescan_timer;
  expr::Evaluator evaluator;

  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::size_t> watched{0};

  // ---- logging ----

  bool enabled(log::ModuleIndex m, int level) const {
    if (!options.log) return false;
    return !options.log_enabled || options.log_enabled(m, level);
  }
  template <class... Args>
  void log(log::ModuleIndex m, int level, int os_error, fmt::format_string<Args...> f, Args&&... args) {
    if (!enabled(m, level)) return;
    const std::string text = fmt::format(f, std::forward<Args>(args)...);
    options.log(HcLogLine{m, level, os_error, text});
  }
  std::string_view threaded_prefix() const { return threaded ? "Threaded " : ""; }

  // ---- configuration ----

  void apply(std::shared_ptr<const directives::Config> cfg) {
    config = std::move(cfg);
    const int tp = config->main.proxy.hc_tpsize.value_or(kDefaultTpSize);
    threaded = tp > 0;
    limit = std::max(1, tp);
    servers.clear();
    for (int server = -1; server < static_cast<int>(config->vhosts.size()); ++server) {
      const directives::ServerConf& sc =
          server < 0 ? config->main : config->vhosts[static_cast<std::size_t>(server)];
      ServerInfo info;
      info.proxy = server < 0 ? sc.proxy : directives::proxy::merge_server_conf(config->main.proxy, sc.proxy);
      info.conditions = parse_conditions(sc.proxy);
      const auto timeout = sc.core.timeout ? sc.core.timeout : config->main.core.timeout;
      if (timeout) info.timeout = microseconds(*timeout);
      servers.push_back(std::move(info));
    }
    rescan();
    if (!rescan_timer) {
      rescan_timer = std::make_unique<asio::steady_timer>(io);
      arm_rescan();
    }
    dispatch();
  }

  void arm_rescan() {
    rescan_timer->expires_after(kRescanEvery);
    rescan_timer->async_wait([this](const boost::system::error_code& ec) {
      if (ec || !config) return;
      rescan();
      arm_rescan();
    });
  }

  static std::shared_ptr<const Conditions> parse_conditions(const directives::ProxyServerConf& ps) {
    auto out = std::make_shared<Conditions>();
    for (const directives::HcCondition& c : ps.hc_conditions)
      out->push_back({c.name, parse_hc_expr(c.expr).expr});
    return out;
  }

  static MemberConfig member_config(const directives::Worker* w, microseconds server_timeout,
                                    const std::string& runtime_dir) {
    MemberConfig m;
    if (w && !w->uds_path.empty())
      m.uds_path =
          w->uds_path.front() == '/' || runtime_dir.empty() ? w->uds_path : runtime_dir + "/" + w->uds_path;
    m.io_timeout = server_timeout;
    if (w && w->params.timeout_set && w->params.timeout.count() > 0) m.io_timeout = w->params.timeout;
    m.connect_timeout = m.io_timeout;
    if (w && w->params.connection_timeout_set && w->params.connection_timeout.count() > 0)
      m.connect_timeout = w->params.connection_timeout;
    return m;
  }

  // Binds the entries to the store's current members; new members start their schedule, gone ones
  // are dropped.
  void rescan() {
    std::map<std::string, std::shared_ptr<Entry>> next;
    const auto& main_conditions = servers.front().conditions;
    const int count = std::min<int>(store.vhost_count() + 1, static_cast<int>(servers.size()));
    for (int server = -1; server + 1 < count; ++server) {
      const ServerInfo& info = servers[static_cast<std::size_t>(server + 1)];
      for (balancer::BalancerState* b : store.balancers(server)) {
        const directives::Balancer* bconf = nullptr;
        for (const directives::Balancer& cb : info.proxy.balancers)
          if (directives::ci_equal(cb.name, b->name())) bconf = &cb;
        for (std::size_t i = 0; i < b->size(); ++i) {
          balancer::WorkerState* ws = &b->member(i);
          const directives::Worker* wconf = nullptr;
          if (bconf)
            for (const directives::Worker& w : bconf->members)
              if (w.name == ws->name()) wconf = &w;
          std::string key = b->name() + '\n' + ws->name();
          if (auto it = next.find(key); it != next.end()) {
            auto& copies = it->second->copies;
            if (std::find(copies.begin(), copies.end(), ws) == copies.end()) copies.push_back(ws);
            continue;
          }
          std::shared_ptr<Entry> e;
          if (auto it = entries.find(key); it != entries.end()) {
            e = it->second;
            e->ws = ws;
          } else {
            e = std::make_shared<Entry>(io);
            e->ws = ws;
            arm(e);
          }
          e->copies.assign(1, ws);
          e->balancer = b->name();
          e->conf = member_config(wconf, info.timeout, config->default_runtime_dir);
          e->conditions = info.conditions;
          e->main_conditions = main_conditions;
          next.emplace(std::move(key), std::move(e));
        }
      }
    }
    for (auto& [key, e] : entries) {
      if (next.count(key)) continue;
      e->removed = true;
      e->timer.cancel();
    }
    entries.swap(next);
    watched.store(entries.size(), std::memory_order_relaxed);
  }

  // ---- scheduling ----

  void arm(const std::shared_ptr<Entry>& e) {
    const auto interval =
        std::max<microseconds>(microseconds(e->ws->hc_interval_us.load()), microseconds(1000));
    e->timer.expires_after(interval);
    e->timer.async_wait([this, e](const boost::system::error_code& ec) {
      if (ec || e->removed) return;
      due(e);
    });
  }

  void due(const std::shared_ptr<Entry>& e) {
    const auto method = static_cast<HcMethod>(e->ws->hc_method.load());
    const bool checkable = method != HcMethod::None && (hc_is_http(method) || method == HcMethod::Tcp);
    if (!checkable || e->ws->has(directives::kWorkerStopped)) return arm(e);
    queue.push_back(e);
    dispatch();
  }

  void dispatch() {
    while (in_flight < limit && !queue.empty()) {
      std::shared_ptr<Entry> e = std::move(queue.front());
      queue.pop_front();
      if (e->removed || e->in_flight) continue;
      start(e);
    }
  }

  // ---- one check ----

  void start(const std::shared_ptr<Entry>& e) {
    balancer::WorkerState& ws = *e->ws;
    const auto method = static_cast<HcMethod>(ws.hc_method.load());
    if (!e->announced) {
      log(log::mod::proxy_hcheck, log::kDebug, 0, "AH03248: Creating hc worker {} for {}", pointer_text(&ws),
          origin_of(ws.name()));
      e->announced = true;
    }
    log(log::mod::proxy_hcheck, log::kDebug, 0, "AH03256: {}Health checking {}", threaded_prefix(),
        ws.name());
    HcProbeSpec spec;
    spec.host = ws.hostname();
    spec.port = ws.port();
    spec.connect_timeout = e->conf.connect_timeout;
    spec.io_timeout = e->conf.io_timeout;
    spec.uds_path = e->conf.uds_path;
    if (hc_is_http(method)) {
      const std::string target = hc_request_target(method, worker_url_path(ws.name()), ws.hc_uri());
      spec.request = hc_request_text(method, target, hc_host_header(spec.host, spec.port));
      spec.read_body = hc_reads_body(method);
    }
    e->in_flight = true;
    ++in_flight;
    start_probe(io, std::move(spec), [this, e, method](HcProbeResult& r) { finished(e, method, r); });
  }

  // Apache's result code in AH03251: 0 passed, 1 failed, -1 could not connect.
  int judge(const Entry& e, HcMethod method, HcProbeResult& r) {
    balancer::WorkerState& ws = *e.ws;
    if (r.outcome == HcProbeResult::Outcome::ConnectFailed && !e.conf.uds_path.empty()) {
      log(log::mod::proxy, log::kError, r.os_error,
          "AH02454: {}: attempt to connect to Unix domain socket {} ({}:{}) failed",
          method == HcMethod::Tcp ? "HCTCP" : "HCOH", e.conf.uds_path, ws.hostname(), ws.port());
      return -1;
    }
    if (r.outcome == HcProbeResult::Outcome::ConnectFailed) {
      log(log::mod::proxy, log::kError, r.os_error, "AH00957: {}: attempt to connect to {} ({}:{}) failed",
          method == HcMethod::Tcp ? "HCTCP" : "HCOH",
          r.address.empty() ? hc_host_header(ws.hostname(), ws.port()) : r.address, ws.hostname(), ws.port());
      return -1;
    }
    if (method == HcMethod::Tcp) return 0;
    if (r.outcome != HcProbeResult::Outcome::Answered) return 1;
    const HcResponseParser& resp = r.response;
    if (!resp.status_line().empty())
      log(log::mod::proxy_hcheck, log::kDebug, 0, "AH03254: {}", resp.status_line());
    if (!resp.head_complete() || resp.status() == 0) return 1;
    const std::string expr_name = ws.hc_expr();
    const Condition* cond = nullptr;
    if (!expr_name.empty()) {
      cond = find_condition(*e.conditions, expr_name);
      if (!cond && e.main_conditions) cond = find_condition(*e.main_conditions, expr_name);
    }
    if (cond && cond->expr) {
      HcExprContext ctx(resp.status(), resp.body(), &resp.headers());
      const bool ok = evaluator.eval_bool(*cond->expr, ctx).value_or(false);
      if (ok) {
        log(log::mod::proxy_hcheck, log::kTrace2, 0, "Condition {} for {} ({}): passed", cond->name,
            pointer_text(&ws), ws.name());
        return 0;
      }
      log(log::mod::proxy_hcheck, log::kTrace2, 0, "Condition {} for {} ({}) : failed", cond->name,
          pointer_text(&ws), ws.name());
      return 1;
    }
    if (resp.status() < 200 || resp.status() > 399) {
      log(log::mod::proxy_hcheck, log::kTrace2, 0, "Response status {} for {} ({}): failed", resp.status(),
          pointer_text(&ws), ws.name());
      return 1;
    }
    return 0;
  }

  void finished(const std::shared_ptr<Entry>& e, HcMethod method, HcProbeResult& r) {
    e->in_flight = false;
    --in_flight;
    completed.fetch_add(1, std::memory_order_relaxed);
    if (!e->removed) {
      balancer::WorkerState& ws = *e->ws;
      const int code = judge(*e, method, r);
      log(log::mod::proxy_hcheck, log::kDebug, 0, "AH03251: Health check {} Status ({}) for {}.",
          balancer::hc_method_name(method), code, pointer_text(&ws));
      // The flags and counters are the balancer's (balancer/health_state.hpp), per server copy; the
      // log lines are written here, once, because their "Threaded " prefix depends on ProxyHCTPsize.
      bool enabled_now = false, disabled_now = false;
      const auto now = std::chrono::system_clock::now();
      for (balancer::WorkerState* copy : e->copies) {
        if (code == 0)
          enabled_now = balancer::hc_passed(*copy) || enabled_now;
        else
          disabled_now = balancer::hc_failed(*copy, now) || disabled_now;
      }
      if (enabled_now)
        log(log::mod::proxy_hcheck, log::kInfo, 0, "AH03302: {}Health check ENABLING {}", threaded_prefix(),
            ws.name());
      if (disabled_now)
        log(log::mod::proxy_hcheck, log::kInfo, 0, "AH03303: {}Health check DISABLING {}", threaded_prefix(),
            ws.name());
      arm(e);
    }
    dispatch();
  }
};

HealthChecker::HealthChecker(balancer::StateStore& store, HealthCheckerOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {}

HealthChecker::~HealthChecker() {
  stop();
}

void HealthChecker::update(std::shared_ptr<const directives::Config> config) {
  if (!config) return;
  // Shared with the posted job: if stop() wins the race the job may never run, and this returns.
  auto applied = std::make_shared<std::promise<void>>();
  auto done = applied->get_future();
  {
    std::lock_guard lock(impl_->stop_mu);
    if (impl_->stopped) return;
    if (!impl_->thread.joinable()) {
      // Until a configuration wants checks there is nothing to watch: no thread, no wake-ups.
      if (!wants_checks(*config)) return;
      impl_->thread = std::thread([io = &impl_->io] { io->run(); });
    }
    asio::post(impl_->io, [impl = impl_.get(), applied, config = std::move(config)]() mutable {
      impl->apply(std::move(config));
      applied->set_value();
    });
  }
  while (done.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    std::lock_guard lock(impl_->stop_mu);
    if (impl_->stopped) return;
  }
}

void HealthChecker::stop() {
  {
    std::lock_guard lock(impl_->stop_mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->guard.reset();
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  // The thread is gone: drop entries and timers here, before the io_context.
  impl_->queue.clear();
  for (auto& [key, e] : impl_->entries) e->removed = true;
  impl_->entries.clear();
  impl_->rescan_timer.reset();
  impl_->watched.store(0);
}

std::uint64_t HealthChecker::checks_completed() const {
  return impl_->completed.load(std::memory_order_relaxed);
}

bool HealthChecker::running() const {
  std::lock_guard lock(impl_->stop_mu);
  return impl_->thread.joinable();
}

std::size_t HealthChecker::workers_watched() const {
  return impl_->watched.load(std::memory_order_relaxed);
}

} // namespace balancerd::hcheck
