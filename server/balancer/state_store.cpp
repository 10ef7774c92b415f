#include "server/balancer/state_store.hpp"

#include "directives/ci_string.hpp"
#include "directives/modules/proxy_merge.hpp"
#include "server/balancer/heartbeat.hpp"
#include "server/balancer/persist_file.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <optional>
#include <random>
#include <unordered_map>

namespace balancerd::balancer {

using namespace directives;

namespace {

struct SvHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

std::string random_uuid() {
  // A version-4 UUID in Apache's textual form (apr_uuid_format).
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<unsigned> byte(0, 255);
  unsigned char b[16];
  for (unsigned char& x : b) x = static_cast<unsigned char>(byte(rng));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

// Apache's slot name shown by the manager ("p8df6fda7_app"): a per-server id and the balancer name
// with everything but letters and digits removed.
std::string make_sname(std::string_view server_key, std::string_view name) {
  char id[16];
  std::snprintf(id, sizeof id, "p%08x", static_cast<unsigned>(fnv1a(server_key)));
  std::string out = id;
  out += '_';
  std::string_view rest = name;
  if (const std::size_t p = rest.find("://"); p != std::string_view::npos) rest.remove_prefix(p + 3);
  for (char c : rest) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

std::string server_key(const ServerConf& s) {
  if (!s.is_vhost) return "main";
  std::string key = "vhost";
  for (const VhostAddress& a : s.core.addresses) key += " " + a.text;
  key += " " + s.core.server_name.value_or("");
  return key;
}

std::string runtime_dir(const Config& c) {
  if (!c.default_runtime_dir.empty()) return c.default_runtime_dir;
  return c.server_root.empty() ? std::string("logs") : c.server_root + "/logs";
}

std::string resolve_runtime(const Config& c, const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  return runtime_dir(c) + "/" + path;
}

} // namespace

struct StateStore::Index {
  struct Server {
    std::string key;
    bool persist = false;
    bool inherit = true;
    bool pass_inherit = true;
    ProxyServerConf conf; // merged with the main server's
    std::vector<BalancerState*> balancers;
    std::unordered_map<std::string, WorkerState*, SvHash, std::equal_to<>> workers;
  };
  std::vector<Server> servers; // [0] main, [i + 1] vhost i

  const Server* server(int index) const {
    const long i = static_cast<long>(index) + 1;
    if (i < 0 || i >= static_cast<long>(servers.size())) return nullptr;
    return &servers[static_cast<std::size_t>(i)];
  }
  const Server* find_key(std::string_view key) const {
    for (const Server& s : servers) {
      if (s.key == key) return &s;
    }
    return nullptr;
  }
  static BalancerState* find_balancer(const Server& s, std::string_view name) {
    // Balancer names are lower-cased keys, unique without regard to case, and a request asks with
    // the key pass_match lowered: an exact match (one memcmp) is the common case and the only
    // case-insensitive match there can be. The folding loop (~250 instructions) is the fallback.
    for (BalancerState* b : s.balancers) {
      if (b->name() == name) return b;
    }
    for (BalancerState* b : s.balancers) {
      if (ci_equal(b->name(), name)) return b;
    }
    return nullptr;
  }
};

struct StateStore::Impl {
  StoreOptions opt;
  std::mutex sync_mu; // one sync/save at a time
  std::mutex own_mu;  // the owned objects
  std::vector<std::unique_ptr<WorkerState>> workers;
  std::vector<std::unique_ptr<BalancerState>> balancers;
  std::vector<std::unique_ptr<Index>> indexes;
  std::string persist_path;
  // persist_path opened while the process could still create it (see open_persisted_for_update).
  int persist_fd = -1;
  std::string persist_fd_path;
  bool file_consulted = false;
  std::vector<PersistedServer> from_file;

  WorkerState* new_worker(const Worker& w) {
    std::lock_guard lock(own_mu);
    workers.push_back(std::make_unique<WorkerState>(w));
    return workers.back().get();
  }
  WorkerState* restored_worker(const PersistedWorker& pw) {
    std::lock_guard lock(own_mu);
    workers.push_back(std::make_unique<WorkerState>(pw.name, pw.display_name, pw.hostname, pw.port));
    workers.back()->restore(pw.view);
    return workers.back().get();
  }
  BalancerState* new_balancer(std::string name, std::string sname, std::size_t capacity) {
    std::lock_guard lock(own_mu);
    balancers.push_back(std::make_unique<BalancerState>(std::move(name), std::move(sname), capacity));
    return balancers.back().get();
  }

  // keep_state_without_persist: a new worker from the config that carries the counters and the
  // error state of its predecessor (busy stays with the old object, whose requests release it).
  WorkerState* carried_over(const Worker& w, const WorkerState& prev) {
    WorkerState* n = new_worker(w);
    n->lbstatus.store(prev.lbstatus.load());
    n->elected.store(prev.elected.load());
    n->transferred.store(prev.transferred.load());
    n->read.store(prev.read.load());
    n->retries.store(prev.retries.load());
    n->error_time_us.store(prev.error_time_us.load());
    n->hc_pcount.store(prev.hc_pcount.load());
    n->hc_fcount.store(prev.hc_fcount.load());
    n->set_bits(prev.status() & kWorkerInError);
    return n;
  }

  std::string nonce() { return opt.make_nonce ? opt.make_nonce() : random_uuid(); }

  BalancerSettings settings_from(const Balancer& b) {
    const BalancerParams& p = b.params;
    BalancerSettings s;
    s.lbmethod = p.lbmethod;
    s.sticky = p.sticky;
    s.sticky_path = p.sticky_path.empty() ? p.sticky : p.sticky_path;
    s.sticky_separator = p.sticky_separator;
    s.sticky_force = p.sticky_force;
    s.scolonsep = p.scolonsep;
    s.timeout = p.timeout;
    s.max_attempts = p.max_attempts;
    s.max_attempts_set = p.max_attempts_set;
    // Apache's child init: without maxattempts=, a balancer of several members fails over to each
    // of the others once.
    if (!s.max_attempts_set && b.members.size() > 1) {
      s.max_attempts = static_cast<int>(b.members.size()) - 1;
      s.max_attempts_set = true;
    }
    s.nonce = p.nonce_set ? p.nonce : nonce();
    s.forcerecovery = p.forcerecovery;
    s.failontimeout = p.failontimeout;
    s.errstatuses = p.errstatuses;
    s.growth = p.growth;
    return s;
  }

  // An earlier state of a balancer from the persistence file (first sync of a process only).
  BalancerState* restored_balancer(const std::string& key, std::string_view name) {
    for (const PersistedServer& ps : from_file) {
      if (ps.key != key) continue;
      for (const PersistedBalancer& pb : ps.balancers) {
        if (!ci_equal(pb.name, name)) continue;
        BalancerState* b = new_balancer(pb.name, make_sname(key, pb.name), pb.capacity);
        std::lock_guard lock(b->mutex());
        b->settings_locked() = pb.settings;
        for (const PersistedWorker& pw : pb.members) b->add_member_locked(restored_worker(pw));
        if (pb.need_reset) b->request_reset(false); // run by the forced sync of build_balancer
        return b;
      }
    }
    return nullptr;
  }

  BalancerState* build_balancer(const Config& config, const std::string& key, const Balancer& cfg,
                                bool persist, BalancerState* old) {
    const std::size_t capacity = cfg.members.size() + static_cast<std::size_t>(cfg.params.growth);
    std::vector<WorkerState*> slots;
    BalancerSettings settings;
    std::vector<WorkerState*> old_members;
    if (old) {
      for (std::size_t i = 0; i < old->size(); ++i) old_members.push_back(&old->member(i));
    }
    if (persist && old) {
      // Apache re-uses the balancer's shared slot: its settings win over the config.
      settings = old->settings();
      if (capacity >= old->capacity()) {
        for (std::size_t j = 0; j < cfg.members.size(); ++j) {
          if (j < old_members.size() && old_members[j]->name() == cfg.members[j].name) {
            slots.push_back(old_members[j]);
          } else {
            slots.push_back(new_worker(cfg.members[j]));
          }
        }
        for (std::size_t j = cfg.members.size(); j < old_members.size() && slots.size() < capacity; ++j) {
          slots.push_back(old_members[j]);
        }
      } else {
        for (const Worker& w : cfg.members) slots.push_back(new_worker(w));
      }
      if (capacity == old->capacity() && slots == old_members) {
        std::lock_guard lock(old->mutex());
        old->set_mount_locked(cfg.vpath, cfg.vhost);
        old->set_heartbeat_path_locked(heartbeat_path(config));
        // Apache's post_config forces a sync of a persisted balancer: a pending reset runs now.
        old->mark_stale();
        old->apply_pending_reset_locked();
        return old;
      }
    } else if (opt.keep_state_without_persist && old) {
      settings = settings_from(cfg);
      if (!cfg.params.nonce_set) settings.nonce = old->settings().nonce;
      for (const Worker& w : cfg.members) {
        WorkerState* prev = old->find_member(w.name);
        slots.push_back(prev && prev->name() == w.name ? carried_over(w, *prev) : new_worker(w));
      }
    } else {
      settings = settings_from(cfg);
      for (const Worker& w : cfg.members) slots.push_back(new_worker(w));
    }
    BalancerState* b = new_balancer(cfg.name, make_sname(key, cfg.name), capacity);
    std::lock_guard lock(b->mutex());
    b->settings_locked() = std::move(settings);
    b->set_mount_locked(cfg.vpath, cfg.vhost);
    b->set_heartbeat_path_locked(heartbeat_path(config));
    for (WorkerState* w : slots) b->add_member_locked(w);
    return b;
  }

  static std::string heartbeat_path(const Config& config) {
    return resolve_runtime(
        config, config.main.proxy.heartbeat_storage.value_or(std::string(kHeartbeatDefaultStorage)));
  }
};

// The persisted servers of `idx` (caller holds the sync mutex); nullopt when none has BalancerPersist.
static std::optional<std::vector<PersistedServer>> persisted_of(const StateStore::Index* idx) {
  if (!idx) return std::nullopt;
  std::vector<PersistedServer> out;
  for (const StateStore::Index::Server& s : idx->servers) {
    if (!s.persist) continue;
    PersistedServer ps;
    ps.key = s.key;
    for (BalancerState* b : s.balancers) {
      PersistedBalancer pb;
      pb.name = b->name();
      pb.capacity = b->capacity();
      std::lock_guard block(b->mutex());
      pb.settings = b->settings_locked();
      pb.need_reset = b->need_reset();
      for (std::size_t i = 0; i < b->size(); ++i) {
        WorkerState& w = b->member(i);
        pb.members.push_back(PersistedWorker{w.name(), w.display_name(), w.hostname(), w.port(), w.view()});
      }
      ps.balancers.push_back(std::move(pb));
    }
    out.push_back(std::move(ps));
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// Writes the persisted servers of `idx` (caller holds the sync mutex): a new file by rename while that
// is possible, else in place through the descriptor kept from an earlier write.
bool StateStore::save_locked(const Index* idx) const {
  Impl& m = *impl_;
  auto out = persisted_of(idx);
  if (!out) return true;
  if (m.persist_fd >= 0 && m.persist_fd_path != m.persist_path) {
    ::close(m.persist_fd);
    m.persist_fd = -1;
  }
  if (write_persisted(m.persist_path, *out)) {
    // A new inode: the kept descriptor (if any) points at the replaced file.
    if (m.persist_fd >= 0) ::close(m.persist_fd);
    m.persist_fd = open_persisted_for_update(m.persist_path);
    m.persist_fd_path = m.persist_path;
    return true;
  }
  return m.persist_fd >= 0 && write_persisted_fd(m.persist_fd, *out);
}

StateStore::StateStore(StoreOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
}

StateStore::~StateStore() {
  save();
  if (impl_->persist_fd >= 0) ::close(impl_->persist_fd);
}

void StateStore::sync(const Config& config) {
  std::lock_guard sync_lock(impl_->sync_mu);
  Impl& m = *impl_;
  const Index* old = index_.load(std::memory_order_acquire);
  m.persist_path = m.opt.persist_path.empty() ? default_persist_path(config) : m.opt.persist_path;
  if (!m.file_consulted) {
    m.file_consulted = true;
    if (auto saved = read_persisted(m.persist_path)) m.from_file = std::move(*saved);
  }

  auto index = std::make_unique<Index>();
  std::unordered_map<std::string, int> key_uses;
  const ProxyServerConf& main_proxy = config.main.proxy;
  for (int si = -1; si < static_cast<int>(config.vhosts.size()); ++si) {
    const ServerConf& sc = si < 0 ? config.main : config.vhosts[static_cast<std::size_t>(si)];
    Index::Server server;
    server.key = server_key(sc);
    if (const int uses = key_uses[server.key]++; uses > 0) server.key += "#" + std::to_string(uses + 1);
    server.conf = si < 0 ? main_proxy : proxy::merge_server_conf(main_proxy, sc.proxy);
    server.persist = server.conf.balancer_persist;
    server.inherit = server.conf.balancer_inherit.value_or(true);
    server.pass_inherit = server.conf.pass_inherit.value_or(true);

    const Index::Server* old_server = old ? old->find_key(server.key) : nullptr;
    for (const Balancer& b : server.conf.balancers) {
      BalancerState* prev = old_server ? Index::find_balancer(*old_server, b.name) : nullptr;
      if (!prev && !old && server.persist) prev = m.restored_balancer(server.key, b.name);
      server.balancers.push_back(m.build_balancer(config, server.key, b, server.persist, prev));
    }

    // Plain workers. A vhost that inherits the main server's workers shares their state (Apache
    // copies the worker structures, which point at the same run-time record).
    const bool with_base = si >= 0 && (server.inherit || server.pass_inherit);
    for (std::size_t wi = 0; wi < server.conf.workers.size(); ++wi) {
      const Worker& w = server.conf.workers[wi];
      if (server.workers.count(w.name)) continue;
      WorkerState* state = nullptr;
      if (with_base && wi < main_proxy.workers.size()) {
        const auto it = index->servers[0].workers.find(w.name);
        if (it != index->servers[0].workers.end()) state = it->second;
      }
      if (!state && m.opt.keep_state_without_persist && old_server) {
        const auto it = old_server->workers.find(w.name);
        if (it != old_server->workers.end()) state = m.carried_over(w, *it->second);
      }
      if (!state) state = m.new_worker(w);
      server.workers.emplace(w.name, state);
    }
    index->servers.push_back(std::move(server));
  }
  m.from_file.clear();

  const Index* published = index.get();
  {
    std::lock_guard lock(m.own_mu);
    m.indexes.push_back(std::move(index));
  }
  index_.store(published, std::memory_order_release);
  save_locked(published);
}

BalancerState* StateStore::balancer(int server_index, std::string_view name) const {
  const Index* idx = index_.load(std::memory_order_acquire);
  const Index::Server* s = idx ? idx->server(server_index) : nullptr;
  return s ? Index::find_balancer(*s, name) : nullptr;
}

WorkerState* StateStore::worker(int server_index, std::string_view worker_name) const {
  const Index* idx = index_.load(std::memory_order_acquire);
  const Index::Server* s = idx ? idx->server(server_index) : nullptr;
  if (!s) return nullptr;
  auto it = s->workers.find(worker_name);
  if (it != s->workers.end()) return it->second;
  // The same URL with or without its trailing slash (the manager shows names without it).
  if (!worker_name.empty() && worker_name.back() == '/') {
    it = s->workers.find(worker_name.substr(0, worker_name.size() - 1));
  } else {
    it = s->workers.find(std::string(worker_name) + "/");
  }
  return it == s->workers.end() ? nullptr : it->second;
}

std::vector<BalancerState*> StateStore::balancers(int server_index) const {
  const Index* idx = index_.load(std::memory_order_acquire);
  const Index::Server* s = idx ? idx->server(server_index) : nullptr;
  return s ? s->balancers : std::vector<BalancerState*>{};
}

int StateStore::vhost_count() const {
  const Index* idx = index_.load(std::memory_order_acquire);
  return idx ? static_cast<int>(idx->servers.size()) - 1 : 0;
}

bool StateStore::persist(int server_index) const {
  const Index* idx = index_.load(std::memory_order_acquire);
  const Index::Server* s = idx ? idx->server(server_index) : nullptr;
  return s && s->persist;
}

bool StateStore::balancer_inherit(int server_index) const {
  const Index* idx = index_.load(std::memory_order_acquire);
  const Index::Server* s = idx ? idx->server(server_index) : nullptr;
  return !s || s->inherit;
}

bool StateStore::pass_inherit(int server_index) const {
  const Index* idx = index_.load(std::memory_order_acquire);
  const Index::Server* s = idx ? idx->server(server_index) : nullptr;
  return !s || s->pass_inherit;
}

const ProxyServerConf* StateStore::proxy_conf(int server_index) const {
  const Index* idx = index_.load(std::memory_order_acquire);
  const Index::Server* s = idx ? idx->server(server_index) : nullptr;
  return s ? &s->conf : nullptr;
}

WorkerState& StateStore::create_worker(const Worker& config) {
  return *impl_->new_worker(config);
}

const std::string& StateStore::persist_path() const {
  return impl_->persist_path;
}

bool StateStore::save() const {
  std::lock_guard lock(impl_->sync_mu);
  return save_locked(index_.load(std::memory_order_acquire));
}

std::string default_persist_path(const Config& config) {
  return runtime_dir(config) + "/balancerd-balancers.state";
}

} // namespace balancerd::balancer
