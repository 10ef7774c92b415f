#include "server/backend/backend_pool.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace balancerd::backend {

namespace asio = boost::asio;

// A caller queued while the pool is at max=, with its acquire= timer.
struct BackendPool::Waiter {
  Waiter(asio::io_context& io, AcquireCallback c, AcquireOptions o) : cb(std::move(c)), opt(o), timer(io) {}
  AcquireCallback cb;
  AcquireOptions opt;
  asio::steady_timer timer;
};

// --- BackendLease ---------------------------------------------------------------------------------

BackendLease::BackendLease(BackendLease&& o) noexcept
    : pool_(std::move(o.pool_)), conn_(std::move(o.conn_)) {}

BackendLease& BackendLease::operator=(BackendLease&& o) noexcept {
  if (this != &o) {
    release(false);
    pool_ = std::move(o.pool_);
    conn_ = std::move(o.conn_);
  }
  return *this;
}

BackendLease::~BackendLease() {
  release(false);
}

void BackendLease::release(bool reusable) noexcept {
  if (!conn_) return;
  auto pool = std::move(pool_);
  if (pool) {
    pool->give_back(std::move(conn_), reusable);
  } else {
    conn_.reset();
  }
}

// --- BackendPool ----------------------------------------------------------------------------------

std::shared_ptr<BackendPool> BackendPool::create(asio::io_context& io, BackendEndpoint ep,
                                                 BackendSettings settings) {
  return std::shared_ptr<BackendPool>(new BackendPool(io, std::move(ep), std::move(settings)));
}

BackendPool::BackendPool(asio::io_context& io, BackendEndpoint ep, BackendSettings settings)
    : io_(io), endpoint_(std::move(ep)), settings_(std::move(settings)), addresses_(settings_.address_ttl) {}

BackendPool::~BackendPool() = default;

PoolCounters BackendPool::counters() const noexcept {
  PoolCounters c = counters_;
  c.idle = idle_.size();
  c.busy = busy_;
  c.waiting = waiters_.size();
  return c;
}

bool BackendPool::has_room() const noexcept {
  return settings_.max <= 0 || busy_ + idle_.size() < static_cast<std::size_t>(settings_.max);
}

std::unique_ptr<BackendConnection> BackendPool::take_idle(Clock::time_point now, bool verify) noexcept {
  while (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    if (settings_.ttl.count() > 0 && now - c->idle_since >= settings_.ttl) {
      ++counters_.closed_expired; // the newest is too old, so are the others
      counters_.closed_expired += idle_.size();
      idle_.clear();
      return nullptr;
    }
    if (c->peer_closed(verify)) {
      ++counters_.closed_stale;
      continue;
    }
    return c;
  }
  return nullptr;
}

void BackendPool::acquire(AcquireCallback cb, AcquireOptions opt) {
  if (shut_down_) {
    post_result(std::move(cb), BackendError::Aborted, nullptr);
    return;
  }
  if (!try_start(cb, opt)) {
    ++counters_.waited;
    auto w = std::make_shared<Waiter>(io_, std::move(cb), opt);
    waiters_.push_back(w);
    if (settings_.acquire_timeout.count() > 0) {
      w->timer.expires_after(settings_.acquire_timeout);
      w->timer.async_wait(
          [self = shared_from_this(), wp = std::weak_ptr<Waiter>(w)](const boost::system::error_code& ec) {
            auto w = wp.lock();
            if (ec || !w) return;
            auto it = std::find(self->waiters_.begin(), self->waiters_.end(), w);
            if (it == self->waiters_.end()) return;
            self->waiters_.erase(it);
            ++self->counters_.acquire_timeouts;
            if (w->cb) w->cb(BackendError::AcquireTimeout, BackendLease());
          });
    }
  }
}

BackendLease BackendPool::take_idle_now(AcquireOptions opt) {
  if (shut_down_ || !opt.allow_reuse || !settings_.reuse || idle_.empty()) return {};
  // The clock is read only when ttl= needs it (once per proxied request otherwise).
  auto c = take_idle(settings_.ttl.count() > 0 ? Clock::now() : Clock::time_point{}, opt.verify_idle);
  if (!c) return {};
  ++busy_;
  ++counters_.reused;
  return BackendLease(shared_from_this(), std::move(c));
}

// Serves cb now if a connection or a free slot is there (the result is posted, never called inline);
// false when the caller must wait.
bool BackendPool::try_start(AcquireCallback& cb, AcquireOptions opt) {
  if (opt.allow_reuse && settings_.reuse) {
    if (auto c = take_idle(Clock::now(), opt.verify_idle)) {
      ++busy_;
      ++counters_.reused;
      post_result(std::move(cb), BackendError::None, std::move(c));
      return true;
    }
  }
  if (!has_room()) {
    if (idle_.empty()) return false;
    // At max with idle connections this caller may not use: drop the oldest to make room.
    idle_.erase(idle_.begin());
  }
  ++busy_; // the slot is taken while connecting
  asio::post(io_,
             [self = shared_from_this(), cb = std::move(cb)]() mutable { self->open_new(std::move(cb)); });
  return true;
}

void BackendPool::open_new(AcquireCallback cb) {
  if (endpoint_.scheme == BackendScheme::Https && !settings_.tls) {
    connect_failed(std::move(cb), BackendError::Tls);
    return;
  }
  BackendError err = BackendError::None;
  auto addrs = addresses_.lookup(endpoint_, err, Clock::now());
  if (err != BackendError::None) {
    connect_failed(std::move(cb), err);
    return;
  }
  auto conn = std::make_unique<BackendConnection>(io_, settings_.io_buffer_size);
  BackendConnection* raw = conn.get();
  connecting_.push_back(std::move(conn));
  ConnectOptions opt{settings_.connect_timeout,     settings_.io_timeout, settings_.tcp_keepalive,
                     settings_.receive_buffer_size, settings_.tls,        endpoint_.host};
  opt.source_address = endpoint_.source_address;
  raw->connect(addrs, opt, [self = shared_from_this(), raw, cb = std::move(cb)](BackendError e) mutable {
    auto it = std::find_if(self->connecting_.begin(), self->connecting_.end(),
                           [raw](const auto& p) { return p.get() == raw; });
    if (it == self->connecting_.end()) return;
    auto c = std::move(*it);
    self->connecting_.erase(it);
    if (e != BackendError::None) {
      // Connected elsewhere after a failure in between? No: Apache tries the next address only on
      // failure, so any error here means no address worked.
      self->connect_failed(std::move(cb), e);
      return;
    }
    ++self->counters_.created;
    cb(BackendError::None, BackendLease(self, std::move(c)));
  });
}

void BackendPool::connect_failed(AcquireCallback cb, BackendError err) {
  ++counters_.connect_failures;
  --busy_;
  cb(err, BackendLease());
  serve_waiters();
}

void BackendPool::post_result(AcquireCallback cb, BackendError err, std::unique_ptr<BackendConnection> conn) {
  asio::post(io_, [self = shared_from_this(), cb = std::move(cb), err, conn = std::move(conn)]() mutable {
    if (conn) {
      cb(err, BackendLease(self, std::move(conn)));
    } else {
      cb(err, BackendLease());
    }
  });
}

void BackendPool::give_back(std::unique_ptr<BackendConnection> conn, bool reusable) noexcept {
  if (busy_ > 0) --busy_;
  // The clock is read only for ttl= (the idle time is used for nothing else): a steady_clock read per
  // proxied request otherwise. update_settings() stamps the idle ones when a reload turns ttl= on.
  const bool timed = settings_.ttl.count() > 0;
  const auto now = timed ? Clock::now() : Clock::time_point{};
  if (!shut_down_ && reusable && settings_.reuse && conn->is_open()) {
    conn->note_request_done();
    conn->idle_since = now;
    // A read stays pending while the connection is idle (no system call after a drained read), so a
    // backend that closes it or sends stray bytes is seen by the reactor, and take_idle() drops it
    // even where the request skips the socket check (verify_idle false).
    conn->watch_idle();
    idle_.push_back(std::move(conn));
    if (timed) expire_idle(now);
  } else {
    conn.reset();
  }
  serve_waiters();
}

void BackendPool::expire_idle(Clock::time_point now) noexcept {
  if (settings_.ttl.count() <= 0) return;
  // Oldest first; above smax the expired ones go (Apache's soft maximum).
  while (idle_.size() > static_cast<std::size_t>(std::max(settings_.smax, 0)) &&
         now - idle_.front()->idle_since >= settings_.ttl) {
    idle_.erase(idle_.begin());
    ++counters_.closed_expired;
  }
}

void BackendPool::serve_waiters() noexcept {
  while (!waiters_.empty() && !shut_down_) {
    auto w = waiters_.front();
    if (!try_start(w->cb, w->opt)) break;
    waiters_.pop_front();
    w->timer.cancel();
  }
}

void BackendPool::close_idle() noexcept {
  idle_.clear();
}

void BackendPool::shutdown() noexcept {
  shut_down_ = true;
  idle_.clear();
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& w : waiters) {
    w->timer.cancel();
    post_result(std::move(w->cb), BackendError::Aborted, nullptr);
  }
}

void BackendPool::update_settings(const BackendSettings& s) {
  if (settings_.ttl.count() <= 0 && s.ttl.count() > 0) {
    // Released while no ttl= applied, so without a time: their idle time counts from now.
    const auto now = Clock::now();
    for (auto& c : idle_) c->idle_since = now;
  }
  settings_ = s;
  addresses_.set_ttl(s.address_ttl);
  if (!settings_.reuse) idle_.clear();
  serve_waiters();
}

} // namespace balancerd::backend
