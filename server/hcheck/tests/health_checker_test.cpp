// HealthChecker against real loopback backends: flagging after hcfails, clearing after hcpasses,
// methods and request shapes, status rules, hcexpr, unchecked workers, reloads, ProxyHCTPsize.
#include "server/hcheck/health_checker.hpp"

#include "hc_test_support.hpp"
#include "loopback_backend.hpp"

#include <gtest/gtest.h>

#include <cerrno>

using namespace hctest;
using balancerd::directives::HcMethod;
using balancerd::directives::kWorkerHcFail;

namespace {

// Number of `needle` lines before the first line containing `stop` (all lines if none).
int count_before(const std::vector<std::string>& lines, std::string_view needle, std::string_view stop) {
  int n = 0;
  for (const std::string& l : lines) {
    if (l.find(stop) != std::string::npos) break;
    if (l.find(needle) != std::string::npos) ++n;
  }
  return n;
}

} // namespace

TEST(HealthChecker, FlagsAfterHcfailsFailuresAndClearsAfterHcpassesSuccesses) {
  LoopbackBackend be;
  balancer::StateStore store(store_options());
  LogCapture logs;
  hcheck::HealthChecker checker(store, logs.options());
  auto cfg = config_with({member(be.port(), "/base", HcMethod::Get, 20ms, /*passes=*/2, /*fails=*/3)});
  store.sync(*cfg);
  checker.update(cfg);
  const std::string name = "http://127.0.0.1:" + std::to_string(be.port()) + "/base";
  balancer::WorkerState* ws = state_of(store, name);
  ASSERT_NE(ws, nullptr);

  ASSERT_TRUE(eventually([&] { return logs.count({"AH03251: Health check GET Status (0)"}) >= 2; }));
  EXPECT_FALSE(ws->has(kWorkerHcFail));
  be.respond(http_response(500));
  ASSERT_TRUE(eventually([&] { return ws->has(kWorkerHcFail); }));
  EXPECT_FALSE(ws->usable());
  auto lines = logs.matching({"Health check"});
  // Exactly hcfails failed checks, then DISABLING.
  EXPECT_EQ(count_before(lines, "Status (1)", "DISABLING"), 3);
  EXPECT_EQ(logs.count({"AH03303: Threaded Health check DISABLING " + name}), 1);
  EXPECT_GE(logs.count({"Response status 500 for", "(" + name + "): failed"}), 3);

  be.respond(http_response(200));
  ASSERT_TRUE(eventually([&] { return !ws->has(kWorkerHcFail); }));
  EXPECT_TRUE(ws->usable());
  lines = logs.matching({"Health check"});
  // After DISABLING: exactly hcpasses successful checks, then ENABLING.
  std::vector<std::string> after;
  bool seen = false;
  for (const auto& l : lines) {
    if (seen) after.push_back(l);
    seen = seen || l.find("DISABLING") != std::string::npos;
  }
  EXPECT_EQ(count_before(after, "Status (0)", "ENABLING"), 2);
  EXPECT_EQ(logs.count({"AH03302: Threaded Health check ENABLING " + name}), 1);
  EXPECT_EQ(ws->hc_pcount.load(), 0);
  // What went on the wire.
  const auto reqs = be.received();
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs[0], "GET /base HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(be.port()) + "\r\n\r\n");
}

TEST(HealthChecker, TcpCheckFailsWhenRefusedAndRecovers) {
  LoopbackBackend be;
  balancer::StateStore store(store_options());
  LogCapture logs;
  hcheck::HealthChecker checker(store, logs.options());
  auto cfg = config_with({member(be.port(), "/", HcMethod::Tcp, 20ms, 1, 2)});
  store.sync(*cfg);
  checker.update(cfg);
  const std::string port = std::to_string(be.port());
  balancer::WorkerState* ws = state_of(store, "http://127.0.0.1:" + port + "/");
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(eventually([&] { return be.connections() >= 2; }));
  EXPECT_FALSE(ws->has(kWorkerHcFail));
  EXPECT_EQ(be.requests(), 0); // TCP sends nothing

  be.set_listening(false);
  ASSERT_TRUE(eventually([&] { return ws->has(kWorkerHcFail); }));
  EXPECT_EQ(count_before(logs.matching({"Health check"}), "TCP Status (-1)", "DISABLING"), 2);
  bool refused_line = false;
  for (const Captured& c : logs.lines())
    if (c.message ==
        "AH00957: HCTCP: attempt to connect to 127.0.0.1:" + port + " (127.0.0.1:" + port + ") failed")
      refused_line = c.module == log::mod::proxy && c.level == log::kError && c.os_error == ECONNREFUSED;
  EXPECT_TRUE(refused_line);

  be.set_listening(true);
  ASSERT_TRUE(eventually([&] { return !ws->has(kWorkerHcFail); }));
  EXPECT_EQ(logs.count({"AH03302: Threaded Health check ENABLING http://127.0.0.1:" + port + "/"}), 1);
}

TEST(HealthChecker, HttpMethodsSendApacheRequestsAndJudgeTheStatus) {
  LoopbackBackend options302, head404, get399, get199, closes;
  options302.respond(http_response(302));
  head404.respond(http_response(404));
  get399.respond(http_response(399));
  get199.respond(http_response(199));
  closes.respond("");
  auto m_head = member(head404.port(), "/base", HcMethod::Head11);
  m_head.params.hc.uri = "hc";
  auto cfg =
      config_with({member(options302.port(), "/", HcMethod::Options), m_head,
                   member(get399.port(), "/q/", HcMethod::Get11), member(get199.port(), "", HcMethod::Get),
                   member(closes.port(), "/c", HcMethod::Head)});
  balancer::StateStore store(store_options());
  LogCapture logs;
  hcheck::HealthChecker checker(store, logs.options());
  store.sync(*cfg);
  checker.update(cfg);
  for (auto* be : {&options302, &head404, &get399, &get199, &closes})
    ASSERT_TRUE(eventually([&] { return be->requests() >= 2; }));
  auto ws = [&](LoopbackBackend& be, const std::string& path) {
    return state_of(store, "http://127.0.0.1:" + std::to_string(be.port()) + path);
  };
  ASSERT_TRUE(eventually([&] { return ws(head404, "/base")->has(kWorkerHcFail); }));
  ASSERT_TRUE(eventually([&] { return ws(get199, "")->has(kWorkerHcFail); }));
  ASSERT_TRUE(eventually([&] { return ws(closes, "/c")->has(kWorkerHcFail); }));
  EXPECT_FALSE(ws(options302, "/")->has(kWorkerHcFail));
  EXPECT_FALSE(ws(get399, "/q/")->has(kWorkerHcFail));

  auto host = [](LoopbackBackend& be) { return "Host: 127.0.0.1:" + std::to_string(be.port()) + "\r\n\r\n"; };
  EXPECT_EQ(options302.received()[0], "OPTIONS * HTTP/1.0\r\n" + host(options302));
  EXPECT_EQ(head404.received()[0], "HEAD /base/hc HTTP/1.1\r\n" + host(head404));
  EXPECT_EQ(get399.received()[0], "GET /q/ HTTP/1.1\r\n" + host(get399));
  EXPECT_EQ(get199.received()[0], "GET  HTTP/1.0\r\n" + host(get199));
  EXPECT_GE(logs.count({"AH03254: HTTP/1.1 302 X"}), 1);
  EXPECT_GE(logs.count({"Response status 404 for"}), 1);
  EXPECT_GE(logs.count({"AH03251: Health check HEAD11 Status (1)"}), 1);
  EXPECT_GE(logs.count({"AH03251: Health check OPTIONS Status (0)"}), 1);
  EXPECT_GE(logs.count({"AH03251: Health check HEAD Status (1)"}), 1); // closed without an answer
}

TEST(HealthChecker, HcexprJudgesStatusAndBody) {
  LoopbackBackend notfound, unavailable, maint, fine, chunked, head_maint;
  notfound.respond(http_response(404));
  unavailable.respond(http_response(503));
  maint.respond(http_response(200, "<p>Under maintenance</p>"));
  fine.respond(http_response(200, "all fine"));
  chunked.respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                  "6\r\nUnder \r\nb\r\nmaintenance\r\n0\r\n\r\n");
  head_maint.respond(http_response(200, "Under maintenance"));
  auto with_expr = [](directives::Worker w, std::string e) {
    w.params.hc.expr = std::move(e);
    return w;
  };
  auto cfg = config_with(
      {with_expr(member(notfound.port(), "/", HcMethod::Head), "ok234"),
       with_expr(member(unavailable.port(), "/", HcMethod::Head), "ok234"),
       with_expr(member(maint.port(), "/", HcMethod::Get), "in_maint"),
       with_expr(member(fine.port(), "/", HcMethod::Get), "in_maint"),
       with_expr(member(chunked.port(), "/", HcMethod::Get11), "in_maint"),
       with_expr(member(head_maint.port(), "/", HcMethod::Head), "in_maint")},
      {{"ok234", "%{REQUEST_STATUS} =~ /^[234]/"}, {"in_maint", "hc('body') !~ /Under maintenance/"}});
  balancer::StateStore store(store_options());
  LogCapture logs;
  hcheck::HealthChecker checker(store, logs.options());
  store.sync(*cfg);
  checker.update(cfg);
  for (auto* be : {&notfound, &unavailable, &maint, &fine, &chunked, &head_maint})
    ASSERT_TRUE(eventually([&] { return be->requests() >= 2; }));
  auto ws = [&](LoopbackBackend& be) {
    return state_of(store, "http://127.0.0.1:" + std::to_string(be.port()) + "/");
  };
  ASSERT_TRUE(eventually([&] { return ws(unavailable)->has(kWorkerHcFail); }));
  ASSERT_TRUE(eventually([&] { return ws(maint)->has(kWorkerHcFail); }));
  ASSERT_TRUE(eventually([&] { return ws(chunked)->has(kWorkerHcFail); }));
  EXPECT_FALSE(ws(notfound)->has(kWorkerHcFail)); // 404 passes ok234 (no 2xx/3xx rule with an expr)
  EXPECT_FALSE(ws(fine)->has(kWorkerHcFail));
  EXPECT_FALSE(ws(head_maint)->has(kWorkerHcFail)); // HEAD: no body to match
  const std::string maint_name = "http://127.0.0.1:" + std::to_string(maint.port()) + "/";
  EXPECT_GE(logs.count({"Condition in_maint for ", "(" + maint_name + ") : failed"}), 1);
  EXPECT_GE(logs.count({"Condition ok234 for ", "): passed"}), 1);
}

TEST(HealthChecker, WorkersWithoutHcmethodAndStoppedOnesAreNotChecked) {
  LoopbackBackend checked, none, stopped, disabled;
  auto m_stopped = member(stopped.port(), "/", HcMethod::Tcp);
  m_stopped.params.status = directives::kWorkerStopped;
  auto m_disabled = member(disabled.port(), "/", HcMethod::Tcp);
  m_disabled.params.status = directives::kWorkerDisabled;
  auto cfg = config_with({member(checked.port(), "/", HcMethod::Get),
                          member(none.port(), "/", HcMethod::None), m_stopped, m_disabled});
  // A plain ProxyPass worker with hcmethod is not checked either (Apache checks balancer members).
  LoopbackBackend plain;
  cfg->main.proxy.workers.push_back(member(plain.port(), "/", HcMethod::Tcp));
  cfg->main.proxy.workers.back().balancer.clear();
  balancer::StateStore store(store_options());
  LogCapture logs;
  hcheck::HealthChecker checker(store, logs.options());
  store.sync(*cfg);
  checker.update(cfg);
  ASSERT_TRUE(eventually([&] { return checked.requests() >= 5; }));
  // Disabled (D) members are checked, as apache2 2.4.71 does.
  ASSERT_TRUE(eventually([&] { return disabled.connections() >= 2; }));
  EXPECT_EQ(none.connections(), 0);
  EXPECT_EQ(stopped.connections(), 0);
  EXPECT_EQ(plain.connections(), 0);
}

// With BalancerPersist On the store keeps a member's state over a reload (Apache re-uses its shared
// slot), so the checker's counting goes on where it was; a check under way finishes into it.
TEST(HealthChecker, ReloadWithBalancerPersistKeepsCountersAndDropsRemovedWorkers) {
  LoopbackBackend be, other;
  be.set_gated(true);
  be.respond(http_response(500));
  const auto opts = store_options();
  balancer::StateStore store(opts);
  LogCapture logs;
  hcheck::HealthChecker checker(store, logs.options());
  const auto first = member(be.port(), "/", HcMethod::Get, 20ms, 1, 3);
  auto persistent = [](std::shared_ptr<directives::Config> c) {
    c->main.proxy.balancer_persist = true;
    return c;
  };
  auto cfg1 = persistent(config_with({first}));
  store.sync(*cfg1);
  checker.update(cfg1);
  const std::string name = first.name;
  balancer::WorkerState* ws = state_of(store, name);
  ASSERT_NE(ws, nullptr);

  be.release(2);
  ASSERT_TRUE(eventually([&] { return logs.count({"GET Status (1)"}) == 2 && be.waiting() == 1; }));
  EXPECT_EQ(ws->hc_fcount.load(), 2);
  EXPECT_FALSE(ws->has(kWorkerHcFail));

  // Reload: the member stays (and a TCP member is added); the third check is under way meanwhile.
  auto cfg2 = persistent(config_with({first, member(other.port(), "/", HcMethod::Tcp)}));
  store.sync(*cfg2);
  checker.update(cfg2);
  EXPECT_EQ(checker.workers_watched(), 2u);
  ws = state_of(store, name);
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(ws->hc_fcount.load(), 2);
  be.release(1);
  ASSERT_TRUE(eventually([&] { return ws->has(kWorkerHcFail); }));
  EXPECT_EQ(count_before(logs.matching({"Health check"}), "GET Status (1)", "DISABLING"), 3);
  ASSERT_TRUE(eventually([&] { return other.connections() >= 1; }));

  // Reload without it while its next check is under way (held by the gate): no further checks of that
  // worker. (Waiting for that check before the reload, not after: a reload that came within the 20 ms
  // interval would find no check under way, and none would ever start.)
  ASSERT_TRUE(eventually([&] { return be.waiting() == 1; }));
  auto cfg3 = persistent(config_with({member(other.port(), "/", HcMethod::Tcp)}));
  store.sync(*cfg3);
  checker.update(cfg3);
  EXPECT_EQ(checker.workers_watched(), 1u);
  EXPECT_EQ(be.waiting(), 1); // the check that was under way
  const int before = be.connections();
  be.set_gated(false);
  const int other_before = other.connections();
  ASSERT_TRUE(eventually([&] { return other.connections() >= other_before + 5; }));
  EXPECT_EQ(be.connections(), before);
  std::filesystem::remove(opts.persist_path);
}

// BalancerPersist Off: Apache starts every balancer again from the config on a graceful reload, and
// so does the store; the checker keeps the member's schedule and its check under way counts for the
// new state.
TEST(HealthChecker, ReloadWithoutBalancerPersistStartsCountingAgain) {
  LoopbackBackend be;
  be.set_gated(true);
  be.respond(http_response(500));
  balancer::StateStore store(store_options());
  LogCapture logs;
  hcheck::HealthChecker checker(store, logs.options());
  const auto first = member(be.port(), "/", HcMethod::Get, 20ms, 1, 3);
  auto cfg = config_with({first});
  store.sync(*cfg);
  checker.update(cfg);
  be.release(2);
  ASSERT_TRUE(eventually([&] { return logs.count({"GET Status (1)"}) == 2 && be.waiting() == 1; }));
  EXPECT_EQ(state_of(store, first.name)->hc_fcount.load(), 2);
  auto cfg2 = config_with({first});
  store.sync(*cfg2);
  checker.update(cfg2);
  balancer::WorkerState* ws = state_of(store, first.name);
  EXPECT_EQ(ws->hc_fcount.load(), 0);
  be.set_gated(false);
  ASSERT_TRUE(eventually([&] { return ws->has(kWorkerHcFail); }));
  // Two before the reload, then three more (the one under way included).
  EXPECT_EQ(count_before(logs.matching({"Health check"}), "GET Status (1)", "DISABLING"), 5);
}

TEST(HealthChecker, TpsizeBoundsConcurrentChecks) {
  for (int tpsize : {1, 2, 0}) {
    SCOPED_TRACE(tpsize);
    LoopbackBackend be;
    be.set_gated(true);
    be.respond(http_response(500));
    auto cfg = config_with({member(be.port(), "/a", HcMethod::Get), member(be.port(), "/b", HcMethod::Get),
                            member(be.port(), "/c", HcMethod::Get)});
    cfg->main.proxy.hc_tpsize = tpsize;
    balancer::StateStore store(store_options());
    LogCapture logs;
    hcheck::HealthChecker checker(store, logs.options());
    store.sync(*cfg);
    checker.update(cfg);
    const int bound = std::max(1, tpsize);
    ASSERT_TRUE(eventually([&] { return be.waiting() == bound; }));
    std::this_thread::sleep_for(100ms); // long enough for all three to have been due several times
    EXPECT_EQ(be.max_waiting(), bound);
    be.set_gated(false);
    ASSERT_TRUE(eventually([&] { return logs.count({"DISABLING"}) == 3; }));
    const std::string prefix = tpsize > 0 ? "Threaded " : "";
    EXPECT_EQ(logs.count({"AH03303: " + prefix + "Health check DISABLING"}), 3);
    EXPECT_GE(logs.count({"AH03256: " + prefix + "Health checking http://127.0.0.1:"}), 3);
    checker.stop();
  }
}

// balancer-manager edits the WorkerState (w_hm, w_hu...): the next check uses the new settings.
TEST(HealthChecker, SettingsChangedInTheWorkerStateApplyToTheNextCheck) {
  LoopbackBackend be;
  auto cfg = config_with({member(be.port(), "/m", HcMethod::None)});
  // No member has an hcmethod: the loaded module is what makes the checker watch them.
  cfg->modules.push_back({"proxy_hcheck_module", "mod_proxy_hcheck.c", ""});
  balancer::StateStore store(store_options());
  hcheck::HealthChecker checker(store);
  store.sync(*cfg);
  checker.update(cfg);
  balancer::WorkerState* ws = state_of(store, "http://127.0.0.1:" + std::to_string(be.port()) + "/m");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(checker.workers_watched(), 1u);
  std::this_thread::sleep_for(60ms); // three intervals: nothing is sent while the method is NONE
  EXPECT_EQ(be.connections(), 0);
  ws->set_hc_uri("status");
  ws->hc_method.store(static_cast<int>(HcMethod::Head11));
  ASSERT_TRUE(eventually([&] { return be.requests() >= 1; }));
  EXPECT_EQ(be.received()[0],
            "HEAD /m/status HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(be.port()) + "\r\n\r\n");
}

TEST(HealthChecker, LogLinesAreFilteredBeforeFormatting) {
  LoopbackBackend be;
  be.respond(http_response(500));
  auto cfg = config_with({member(be.port(), "/", HcMethod::Get)});
  balancer::StateStore store(store_options());
  LogCapture logs;
  auto options = logs.options();
  int asked_debug = 0;
  options.log_enabled = [&](log::ModuleIndex, int level) {
    if (level >= log::kDebug) ++asked_debug;
    return level <= log::kInfo;
  };
  hcheck::HealthChecker checker(store, options);
  store.sync(*cfg);
  checker.update(cfg);
  ASSERT_TRUE(eventually([&] { return logs.count({"DISABLING"}) == 1; }));
  checker.stop();
  EXPECT_GT(asked_debug, 0);
  for (const Captured& c : logs.lines()) EXPECT_LE(c.level, log::kInfo) << c.message;
}

// A "unix:/path|http://localhost/" member is checked over its socket.
TEST(HealthChecker, UnixSocketWorkerIsCheckedOverItsSocket) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("bd-hcheck-" + std::to_string(::getpid()) + ".sock"))
          .string();
  LoopbackBackend be(path);
  be.respond(http_response(503));
  auto m = member(80, "/app", HcMethod::Get);
  m.hostname = "localhost";
  m.name = "http://localhost/app";
  m.uds_path = path;
  auto cfg = config_with({m});
  balancer::StateStore store(store_options());
  LogCapture logs;
  hcheck::HealthChecker checker(store, logs.options());
  store.sync(*cfg);
  checker.update(cfg);
  balancer::WorkerState* ws = state_of(store, m.name);
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(eventually([&] { return ws->has(kWorkerHcFail); }));
  EXPECT_EQ(be.received()[0], "GET /app HTTP/1.0\r\nHost: localhost:80\r\n\r\n");
  be.respond(http_response(200));
  ASSERT_TRUE(eventually([&] { return !ws->has(kWorkerHcFail); }));
}

TEST(HealthChecker, StopCancelsChecksUnderWayAndUpdateAfterStopIsIgnored) {
  LoopbackBackend be;
  be.set_gated(true);
  balancer::StateStore store(store_options());
  hcheck::HealthChecker checker(store);
  auto cfg = config_with({member(be.port(), "/", HcMethod::Get)});
  store.sync(*cfg);
  checker.update(cfg);
  ASSERT_TRUE(eventually([&] { return be.waiting() == 1; }));
  const auto t0 = std::chrono::steady_clock::now();
  checker.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s); // the 10 s check timeout is not waited for
  checker.update(cfg);
  checker.stop();
  EXPECT_EQ(checker.workers_watched(), 0u);
}

// Without mod_proxy_hcheck and without any member hcmethod there is nothing to check: no thread is
// started (it would wake every second). A reload that adds a checked member starts it.
TEST(HealthChecker, ThreadStartsOnlyWhenAConfigurationWantsChecks) {
  LoopbackBackend be;
  balancer::StateStore store(store_options());
  hcheck::HealthChecker checker(store);
  auto plain = config_with({member(be.port(), "/", HcMethod::None)});
  store.sync(*plain);
  checker.update(plain);
  EXPECT_FALSE(checker.running());
  EXPECT_EQ(checker.workers_watched(), 0u);

  auto checked = config_with({member(be.port(), "/", HcMethod::Tcp)});
  store.sync(*checked);
  checker.update(checked);
  EXPECT_TRUE(checker.running());
  EXPECT_EQ(checker.workers_watched(), 1u);
  ASSERT_TRUE(eventually([&] { return be.connections() >= 1; }));
  checker.stop();
  EXPECT_FALSE(checker.running());
}

TEST(HealthChecker, LoadedModuleAloneStartsTheThread) {
  balancer::StateStore store(store_options());
  hcheck::HealthChecker checker(store);
  auto cfg = std::make_shared<directives::Config>();
  store.sync(*cfg);
  checker.update(cfg);
  EXPECT_FALSE(checker.running());
  cfg = std::make_shared<directives::Config>();
  cfg->modules.push_back({"proxy_hcheck_module", "mod_proxy_hcheck.c", ""});
  store.sync(*cfg);
  checker.update(cfg);
  EXPECT_TRUE(checker.running());
}
