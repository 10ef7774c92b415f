// The state store across reloads (BalancerPersist Off/On as apache2 2.4.71 behaves), persistence
// through the state file, vhosts with BalancerInherit, and lookups.
#include "server/balancer/manager_ops.hpp"
#include "server/balancer/persist_file.hpp"
#include "server/balancer/tests/balancer_test_support.hpp"

#include <unistd.h>

#include <filesystem>

namespace balancerd::balancer::test {
namespace {

using namespace directives;

const char* kBase = R"(<Proxy "balancer://c1">
    BalancerMember "http://127.0.0.1:18291" route=r1 retry=600
    BalancerMember "http://127.0.0.1:18292" route=r2 retry=600
    ProxySet growth=2
</Proxy>
ProxyPass "/c1/" "balancer://c1/"
ProxyPass "/d/" "http://127.0.0.1:18297/")";

// The manager changes of the apache2 experiment: w_lf=5 w_wr=q1 w_status_N=1 on the first member,
// b_tmo=7 b_max=9 b_ss=SS, and a member added at run time.
void manager_changes(StateStore& store, BalancerState& b) {
  WorkerEdit w;
  w.w_lf = "5";
  w.w_wr = "q1";
  w.w_status_N = "1";
  apply_worker_edit(&b, b.member(0), w, true, {});
  BalancerEdit e;
  e.b_tmo = "7";
  e.b_max = "9";
  e.b_ss = "SS";
  EXPECT_EQ(apply_balancer_edit(store, b, e, *store.proxy_conf(-1)).http_status, 200);
  BalancerEdit add;
  add.b_wyes = "1";
  add.b_nwrkr = "http://127.0.0.1:18293";
  EXPECT_EQ(apply_balancer_edit(store, b, add, *store.proxy_conf(-1)).http_status, 200);
}

// Two requests that each found both members refused (what the experiment did).
void two_failed_requests(BalancerState& b) {
  for (int i = 0; i < 2; ++i) {
    FailoverLoop loop;
    Selection s;
    do {
      s = select(b, facts("balancer://c1/", {}, at(0)));
      ASSERT_EQ(s.status, SelectStatus::Chosen);
      mark_error(*s.worker, at(0));
      release(*s.worker, 0, 0);
    } while (loop.after_attempt(&b, *s.worker, 503, at(0)));
  }
}

std::string row(const WorkerView& v) {
  return v.name + " " + v.route + " " + std::to_string(v.lbfactor) + " " + status_string(v.status) +
         std::to_string(v.elected) + " " + std::to_string(v.lbstatus);
}

TEST(Reload, PersistOffStartsAgainFromConfig) {
  TempDir dir;
  StateStore store;
  auto cfg = compile(dir, std::string("BalancerPersist Off\n") + kBase);
  ASSERT_TRUE(cfg);
  store.sync(*cfg);
  BalancerState* b = store.balancer(-1, "balancer://c1");
  ASSERT_NE(b, nullptr);
  two_failed_requests(*b);
  manager_changes(store, *b);
  const BalancerView before = b->view();
  ASSERT_EQ(before.members.size(), 3u);
  EXPECT_EQ(row(before.members[0]), "http://127.0.0.1:18291 q1 500 Init Drn Err 2 500");
  EXPECT_EQ(row(before.members[2]), "http://127.0.0.1:18293  100 Init Dis 0 0");
  const std::string nonce = before.settings.nonce;

  store.sync(*cfg);
  BalancerState* after = store.balancer(-1, "balancer://c1");
  ASSERT_NE(after, nullptr);
  const BalancerView v = after->view();
  ASSERT_EQ(v.members.size(), 2u);
  EXPECT_EQ(row(v.members[0]), "http://127.0.0.1:18291 r1 100 Init Ok 0 0");
  EXPECT_EQ(row(v.members[1]), "http://127.0.0.1:18292 r2 100 Init Ok 0 0");
  EXPECT_EQ(v.settings.timeout.count(), 0);
  EXPECT_EQ(v.settings.max_attempts, 1);
  EXPECT_EQ(v.settings.sticky, "");
  EXPECT_NE(v.settings.nonce, nonce);
  EXPECT_EQ(v.max_members, 4u);
  // The old objects stay valid for requests still running on them.
  EXPECT_EQ(b->member(0).route(), "q1");
  release(b->member(0), 1, 1);
}

TEST(Reload, PersistOnKeepsEverything) {
  TempDir dir;
  StateStore store;
  auto cfg = compile(dir, std::string("BalancerPersist On\n") + kBase);
  ASSERT_TRUE(cfg);
  store.sync(*cfg);
  BalancerState* b = store.balancer(-1, "balancer://c1");
  ASSERT_NE(b, nullptr);
  two_failed_requests(*b);
  manager_changes(store, *b);
  const BalancerView before = b->view();
  store.sync(*cfg);
  BalancerState* after = store.balancer(-1, "balancer://c1");
  EXPECT_EQ(after, b); // nothing changed: the same object
  const BalancerView v = after->view();
  ASSERT_EQ(v.members.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(row(v.members[i]), row(before.members[i]));
  EXPECT_EQ(v.settings, before.settings);
  EXPECT_TRUE(store.persist(-1));
}

TEST(Reload, PersistOnIgnoresConfigChangesOfKeptSlots) {
  // The apache2 experiment: route r2 -> z2 and loadfactor=3 in the config, a new member 18294 and
  // timeout=3: slots 0 and 1 keep their state, slot 2 (the manager-added 18293) becomes 18294 from
  // the config, and the balancer keeps its run-time settings.
  TempDir dir;
  StateStore store;
  auto cfg = compile(dir, std::string("BalancerPersist On\n") + kBase);
  ASSERT_TRUE(cfg);
  store.sync(*cfg);
  BalancerState* b = store.balancer(-1, "balancer://c1");
  ASSERT_NE(b, nullptr);
  two_failed_requests(*b);
  manager_changes(store, *b);
  auto changed = compile(dir, R"(BalancerPersist On
<Proxy "balancer://c1">
    BalancerMember "http://127.0.0.1:18291" route=r1 retry=600
    BalancerMember "http://127.0.0.1:18292" route=z2 retry=600 loadfactor=3
    BalancerMember "http://127.0.0.1:18294"
    ProxySet growth=2 timeout=3
</Proxy>)");
  ASSERT_TRUE(changed);
  store.sync(*changed);
  const BalancerView v = store.balancer(-1, "balancer://c1")->view();
  ASSERT_EQ(v.members.size(), 3u);
  EXPECT_EQ(row(v.members[0]), "http://127.0.0.1:18291 q1 500 Init Drn Err 2 500");
  EXPECT_EQ(row(v.members[1]), "http://127.0.0.1:18292 r2 100 Init Err 2 100");
  EXPECT_EQ(row(v.members[2]), "http://127.0.0.1:18294  100 Init Ok 0 0");
  EXPECT_EQ(v.max_members, 5u);
  EXPECT_EQ(v.settings.timeout, std::chrono::seconds(7));
  EXPECT_EQ(v.settings.max_attempts, 9);
  EXPECT_EQ(v.settings.sticky, "SS");

  // Fewer slots than before (a member removed): members start from the config, settings stay.
  auto shrunk = compile(dir, R"(BalancerPersist On
<Proxy "balancer://c1">
    BalancerMember "http://127.0.0.1:18291" route=r1 retry=600
    BalancerMember "http://127.0.0.1:18292" route=z2 retry=600 loadfactor=3
    ProxySet growth=2
</Proxy>)");
  ASSERT_TRUE(shrunk);
  store.sync(*shrunk);
  const BalancerView s = store.balancer(-1, "balancer://c1")->view();
  ASSERT_EQ(s.members.size(), 2u);
  EXPECT_EQ(row(s.members[0]), "http://127.0.0.1:18291 r1 100 Init Ok 0 0");
  EXPECT_EQ(row(s.members[1]), "http://127.0.0.1:18292 z2 300 Init Ok 0 0");
  EXPECT_EQ(s.settings.timeout, std::chrono::seconds(7));
}

TEST(Reload, KeepStateOptionKeepsCountersNotParameters) {
  TempDir dir;
  StoreOptions opt;
  opt.keep_state_without_persist = true;
  StateStore store(opt);
  auto cfg = compile(dir, kBase);
  ASSERT_TRUE(cfg);
  store.sync(*cfg);
  BalancerState* b = store.balancer(-1, "balancer://c1");
  two_failed_requests(*b);
  manager_changes(store, *b);
  const std::string nonce = b->settings().nonce;
  store.sync(*cfg);
  const BalancerView v = store.balancer(-1, "balancer://c1")->view();
  ASSERT_EQ(v.members.size(), 2u);
  EXPECT_EQ(row(v.members[0]), "http://127.0.0.1:18291 r1 100 Init Err 2 500");
  EXPECT_EQ(v.settings.timeout.count(), 0);
  EXPECT_EQ(v.settings.nonce, nonce);
}

TEST(Persistence, FullRestartRestoresFromFile) {
  TempDir dir;
  auto cfg = compile(dir, std::string("BalancerPersist On\n") + kBase);
  ASSERT_TRUE(cfg);
  BalancerView before;
  std::string path;
  {
    StateStore store;
    store.sync(*cfg);
    BalancerState* b = store.balancer(-1, "balancer://c1");
    ASSERT_NE(b, nullptr);
    two_failed_requests(*b);
    manager_changes(store, *b);
    before = b->view();
    path = store.persist_path();
    EXPECT_EQ(path, dir.dir() + "/logs/balancerd-balancers.state");
    EXPECT_TRUE(store.save());
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  StateStore fresh;
  fresh.sync(*cfg);
  const BalancerView v = fresh.balancer(-1, "balancer://c1")->view();
  ASSERT_EQ(v.members.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(row(v.members[i]), row(before.members[i]));
  EXPECT_EQ(v.settings, before.settings);
  EXPECT_EQ(v.members[0].error_time, before.members[0].error_time);
  EXPECT_EQ(v.members[0].retry, std::chrono::seconds(600));
  EXPECT_EQ(fresh.balancer(-1, "balancer://c1")->member(2).hostname(), "127.0.0.1");
  EXPECT_EQ(fresh.balancer(-1, "balancer://c1")->member(2).config().port, 18293);
  EXPECT_EQ(fresh.balancer(-1, "balancer://c1")->member(2).config().scheme, "http");
}

// After the server gives up root it can no longer create the temporary file in DefaultRuntimeDir; the
// file opened at the first save is then rewritten in place (here the temporary name is made unusable by
// a directory of that name, which stops root too), so changes made later still survive a full restart.
TEST(Persistence, SavesInPlaceWhenTheDirectoryCannotBeWritten) {
  TempDir dir;
  auto cfg = compile(dir, std::string("BalancerPersist On\n") + kBase);
  ASSERT_TRUE(cfg);
  BalancerView before;
  std::string path;
  {
    StateStore store;
    store.sync(*cfg); // the first write, while the directory is writable
    path = store.persist_path();
    ASSERT_TRUE(std::filesystem::exists(path));
    std::filesystem::create_directory(path + ".tmp");
    BalancerState* b = store.balancer(-1, "balancer://c1");
    ASSERT_NE(b, nullptr);
    manager_changes(store, *b);
    before = b->view();
    EXPECT_TRUE(store.save());
  }
  std::filesystem::remove(path + ".tmp");
  StateStore fresh;
  fresh.sync(*cfg);
  const BalancerView v = fresh.balancer(-1, "balancer://c1")->view();
  ASSERT_EQ(v.members.size(), before.members.size());
  for (std::size_t i = 0; i < v.members.size(); ++i) EXPECT_EQ(row(v.members[i]), row(before.members[i]));
  EXPECT_EQ(v.settings, before.settings);
}

// A member re-enabled through the manager leaves need_reset pending (one apache2 child does not run
// it); it is persisted, and the next process's first sync runs it, as Apache's post_config forces a
// sync of a persisted balancer: lbstatus starts again from 0.
TEST(Persistence, PendingResetRunsAfterAFullRestart) {
  TempDir dir;
  auto cfg = compile(dir, std::string("BalancerPersist On\n") + kBase);
  ASSERT_TRUE(cfg);
  {
    StateStore store;
    store.sync(*cfg);
    BalancerState* b = store.balancer(-1, "balancer://c1");
    ASSERT_NE(b, nullptr);
    WorkerEdit off;
    off.w_status_D = "1";
    apply_worker_edit(b, b->member(1), off, true, {});
    WorkerEdit on;
    on.w_status_D = "0";
    on.w_lf = "3"; // recalc: lbstatus = lbfactor
    apply_worker_edit(b, b->member(1), on, true, {});
    EXPECT_EQ(b->member(1).lbstatus.load(), 300);
    EXPECT_FALSE(b->reset_pending());
    EXPECT_TRUE(b->need_reset());
  }
  StateStore fresh;
  fresh.sync(*cfg);
  BalancerState* b = fresh.balancer(-1, "balancer://c1");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->member(1).lbfactor.load(), 300);
  EXPECT_EQ(b->member(1).lbstatus.load(), 0);
  EXPECT_EQ(b->member(0).lbstatus.load(), 0);
  EXPECT_FALSE(b->need_reset());
}

TEST(Persistence, InPlaceWriteReplacesALongerFile) {
  TempDir dir;
  const std::string path = dir.dir() + "/state";
  PersistedServer s;
  s.key = "main";
  PersistedBalancer b;
  b.name = "balancer://x";
  b.capacity = 1;
  s.balancers.push_back(b);
  PersistedServer big = s;
  for (int i = 0; i < 20; ++i) big.balancers.push_back(b);
  ASSERT_TRUE(write_persisted(path, {big}));
  const int fd = open_persisted_for_update(path);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_persisted_fd(fd, {s}));
  ::close(fd);
  auto back = read_persisted(path);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].balancers.size(), 1u);
}

TEST(Persistence, NoFileWithoutPersist) {
  TempDir dir;
  auto cfg = compile(dir, kBase);
  ASSERT_TRUE(cfg);
  {
    StateStore store;
    store.sync(*cfg);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.dir() + "/logs/balancerd-balancers.state"));
}

TEST(Persistence, FileRoundTripAndDamage) {
  PersistedServer s;
  s.key = "vhost 127.0.0.1:80 a b";
  PersistedBalancer b;
  b.name = "balancer://x";
  b.capacity = 3;
  b.need_reset = true;
  b.settings.sticky = "A B";
  b.settings.sticky_separator = '\0';
  b.settings.errstatuses = {500, 503};
  b.settings.nonce = "";
  PersistedWorker w;
  w.name = "http://h:1";
  w.display_name = "unix:/tmp/s p|http://h:1";
  w.hostname = "h";
  w.port = 1;
  w.view.route = "r%1";
  w.view.status = kWorkerInitialized | kWorkerHotSpare;
  w.view.lbstatus = -250;
  w.view.error_time = at(5);
  w.view.name = w.display_name;
  b.members.push_back(w);
  s.balancers.push_back(b);
  const std::string text = serialize_persisted({s});
  auto back = parse_persisted(text);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].key, s.key);
  const PersistedBalancer& rb = (*back)[0].balancers.at(0);
  EXPECT_EQ(rb.settings, b.settings);
  EXPECT_EQ(rb.capacity, 3u);
  EXPECT_TRUE(rb.need_reset);
  EXPECT_EQ(rb.members.at(0).display_name, w.display_name);
  EXPECT_EQ(rb.members.at(0).view.route, "r%1");
  EXPECT_EQ(rb.members.at(0).view.lbstatus, -250);
  EXPECT_EQ(rb.members.at(0).view.error_time, at(5));
  // Truncated or foreign files are refused whole.
  EXPECT_FALSE(parse_persisted(text.substr(0, text.size() - 4)));
  EXPECT_FALSE(parse_persisted("something else\n"));
}

const char* kVhosts = R"(<Proxy "balancer://main">
    BalancerMember "http://127.0.0.1:1"
    BalancerMember "http://127.0.0.1:2"
</Proxy>
ProxyPass "/p/" "http://127.0.0.1:9/"
<VirtualHost 127.0.0.1:18080>
    ServerName a.example
    <Proxy "balancer://own">
        BalancerMember "http://127.0.0.1:3"
    </Proxy>
    ProxyPass "/q/" "http://127.0.0.1:8/"
</VirtualHost>
<VirtualHost 127.0.0.1:18080>
    ServerName b.example
    BalancerInherit Off
    ProxyPassInherit Off
    BalancerPersist On
</VirtualHost>)";

TEST(Vhosts, InheritedBalancersHaveTheirOwnStatePlainWorkersAreShared) {
  TempDir dir;
  StateStore store;
  auto cfg = compile(dir, kVhosts);
  ASSERT_TRUE(cfg);
  store.sync(*cfg);
  EXPECT_EQ(store.vhost_count(), 2);
  BalancerState* main_b = store.balancer(-1, "balancer://main");
  BalancerState* a_b = store.balancer(0, "BALANCER://MAIN");
  ASSERT_NE(main_b, nullptr);
  ASSERT_NE(a_b, nullptr);
  EXPECT_NE(main_b, a_b);
  EXPECT_NE(&main_b->member(0), &a_b->member(0));
  EXPECT_NE(main_b->sname(), a_b->sname());
  EXPECT_EQ(main_b->sname().substr(main_b->sname().size() - 5), "_main");
  EXPECT_EQ(store.balancer(0, "balancer://own")->size(), 1u);
  EXPECT_EQ(store.balancer(-1, "balancer://own"), nullptr);
  ASSERT_EQ(store.balancers(0).size(), 2u);
  EXPECT_EQ(store.balancers(0)[0]->name(), "balancer://main");

  WorkerState* main_w = store.worker(-1, "http://127.0.0.1:9/");
  ASSERT_NE(main_w, nullptr);
  EXPECT_EQ(store.worker(0, "http://127.0.0.1:9/"), main_w);
  EXPECT_NE(store.worker(0, "http://127.0.0.1:8/"), nullptr);
  EXPECT_EQ(store.worker(-1, "http://127.0.0.1:8/"), nullptr);

  // BalancerInherit Off + ProxyPassInherit Off: nothing from the main server.
  EXPECT_TRUE(store.balancers(1).empty());
  EXPECT_EQ(store.worker(1, "http://127.0.0.1:9/"), nullptr);
  EXPECT_FALSE(store.balancer_inherit(1));
  EXPECT_FALSE(store.pass_inherit(1));
  EXPECT_TRUE(store.persist(1));
  EXPECT_FALSE(store.persist(0));
  EXPECT_TRUE(store.balancer_inherit(0));
  EXPECT_EQ(store.balancer(5, "balancer://main"), nullptr);
  EXPECT_EQ(store.balancer(-2, "balancer://main"), nullptr);
  EXPECT_TRUE(store.balancers(7).empty());
  EXPECT_EQ(store.proxy_conf(9), nullptr);
}

TEST(Vhosts, PersistIsPerServer) {
  TempDir dir;
  StateStore store;
  auto cfg = compile(dir, R"(BalancerPersist On
<Proxy "balancer://main">
    BalancerMember "http://127.0.0.1:1"
</Proxy>
<VirtualHost 127.0.0.1:18080>
    ServerName a.example
</VirtualHost>)");
  ASSERT_TRUE(cfg);
  store.sync(*cfg);
  store.balancer(-1, "balancer://main")->member(0).elected.store(7);
  store.balancer(0, "balancer://main")->member(0).elected.store(8);
  store.sync(*cfg);
  EXPECT_EQ(store.balancer(-1, "balancer://main")->member(0).elected.load(), 7u);
  // The vhost has no BalancerPersist On of its own (it is not inherited): it starts afresh.
  EXPECT_EQ(store.balancer(0, "balancer://main")->member(0).elected.load(), 0u);
}

TEST(Settings, DefaultsFromConfig) {
  TempDir dir;
  StoreOptions opt;
  opt.make_nonce = [] { return std::string("fixed-nonce"); };
  StateStore store(opt);
  auto cfg = compile(dir, R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1"
    BalancerMember "http://127.0.0.1:2"
    BalancerMember "http://127.0.0.1:3"
    ProxySet stickysession=JSESSIONID|jsessionid nofailover=On scolonpathdelim=On timeout=5
    ProxySet failonstatus=500,502 failontimeout=On forcerecovery=Off growth=3 stickysessionsep=Off
</Proxy>
<Proxy "balancer://n">
    BalancerMember "http://127.0.0.1:1"
    ProxySet nonce=None lbmethod=bytraffic maxattempts=4
</Proxy>)");
  ASSERT_TRUE(cfg);
  store.sync(*cfg);
  const BalancerSettings s = store.balancer(-1, "balancer://c")->settings();
  EXPECT_EQ(s.lbmethod, "byrequests");
  EXPECT_EQ(s.sticky, "JSESSIONID");
  EXPECT_EQ(s.sticky_path, "jsessionid");
  EXPECT_EQ(s.sticky_separator, '\0');
  EXPECT_TRUE(s.sticky_force);
  EXPECT_TRUE(s.scolonsep);
  EXPECT_EQ(s.timeout, std::chrono::seconds(5));
  EXPECT_EQ(s.max_attempts, 2);
  EXPECT_TRUE(s.max_attempts_set);
  EXPECT_EQ(s.nonce, "fixed-nonce");
  EXPECT_FALSE(s.forcerecovery);
  EXPECT_TRUE(s.failontimeout);
  EXPECT_EQ(s.errstatuses, (std::vector<int>{500, 502}));
  EXPECT_EQ(store.balancer(-1, "balancer://c")->capacity(), 6u);
  const BalancerSettings n = store.balancer(-1, "balancer://n")->settings();
  EXPECT_EQ(n.nonce, "");
  EXPECT_EQ(n.lbmethod, "bytraffic");
  EXPECT_EQ(n.max_attempts, 4);
}

TEST(Settings, RandomNonceIsAUuid) {
  TempDir dir;
  StateStore store;
  auto cfg = compile(dir, R"(<Proxy "balancer://c">
    BalancerMember "http://127.0.0.1:1"
</Proxy>)");
  ASSERT_TRUE(cfg);
  store.sync(*cfg);
  const std::string nonce = store.balancer(-1, "balancer://c")->settings().nonce;
  ASSERT_EQ(nonce.size(), 36u);
  EXPECT_EQ(nonce[8], '-');
  EXPECT_EQ(nonce[14], '4');
}

} // namespace
} // namespace balancerd::balancer::test
