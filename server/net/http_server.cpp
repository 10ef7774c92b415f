#include "server/net/http_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "server/net/io_thread.hpp"

#include "server/net/accept_burst.hpp"
#include "server/net/connection.hpp"

namespace balancerd::net {

namespace {
// One io thread per CPU this process may run on: a server pinned with taskset (or a cgroup cpuset)
// gets as many threads as CPUs, not as many as the machine has, so threads never time-share a core.
unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<unsigned>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}
} // namespace

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

tcp::endpoint endpoint_for(const ListenAddress& l, unsigned short port) {
  if (l.host.empty()) return tcp::endpoint(asio::ip::address_v6::any(), port);
  return tcp::endpoint(asio::ip::make_address(l.host), port);
}

// One listen socket of one thread. Its accept and retry handlers hold it by shared_ptr, so it
// stays valid while they are pending after update_listeners() has dropped it from the thread.
struct Acceptor {
  Acceptor(asio::io_context& io, ListenAddress configured)
      : address(std::move(configured)), socket(io), retry(io) {}
  ListenAddress address; // as configured (port 0 stays 0): what update_listeners() matches on
  tcp::acceptor socket;
  asio::steady_timer retry;
  bool closed = false; // set on its thread when the address is removed or the server stops
  void close() {
    closed = true;
    error_code ec;
    socket.close(ec);
    retry.cancel();
  }
};

bool same_address(const ListenAddress& a, const ListenAddress& b) {
  return a.host == b.host && a.port == b.port;
}

// One thread: its io_context, its acceptors (one per listen address, all SO_REUSEPORT, in the order
// of the listen list), its connections.
struct Worker {
  // One thread runs it, and every socket and timer of it is started, cancelled and closed on that
  // thread (other threads only post: stop, graceful stop, option and listener updates; acceptors
  // bound elsewhere are handed over by post before any operation starts on them). So the reactor's
  // per-descriptor mutex is not needed: UNSAFE_IO drops it (two lock/unlock pairs per socket
  // operation) and keeps the scheduler's and the registration locks that cross-thread posts rely on.
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::vector<std::shared_ptr<Acceptor>> acceptors; // changed on this thread only once it runs
  ConnectionList connections;
  // What new connections get; replaced on this thread only (update_connection_options posts it).
  std::shared_ptr<const ConnectionOptions> options;
  std::thread thread; // none for the first loop with FirstLoop::Caller
};

// A listen address and the port it got (the ephemeral one for port 0).
struct BoundAddress {
  ListenAddress address;
  unsigned short port = 0;
};

} // namespace

struct HttpServer::Impl {
  ServerOptions options;
  std::shared_ptr<RequestHandler> handler;
  std::vector<std::unique_ptr<Worker>> workers;
  mutable std::mutex bound_mutex; // ports() may be read from any thread
  std::vector<BoundAddress> bound;
  bool running = false;
  bool first_here = false; // FirstLoop::Caller: workers[0] runs in run(), stop() and graceful_stop()
  std::atomic<bool> interrupted{false}; // run() returns (at once, when called after interrupt())

  // The first loop on the calling thread, until its io_context is stopped (handlers stop it).
  void run_first_here() {
    auto& io = workers.front()->io;
    io.restart();
    io.run();
  }

  // One acceptor per worker for `l`, bound and listening, in worker order; `port` gets the bound
  // port. Throws std::system_error with Apache's make_sock text when the address cannot be bound.
  std::vector<std::shared_ptr<Acceptor>> bind_address(const ListenAddress& l, unsigned short& port) {
    std::vector<std::shared_ptr<Acceptor>> out;
    port = l.port;
    for (auto& w : workers) {
      tcp::endpoint ep = endpoint_for(l, port);
      auto a = std::make_shared<Acceptor>(w->io, l);
      a->socket.open(ep.protocol());
      a->socket.set_option(tcp::acceptor::reuse_address(true));
      a->socket.set_option(reuse_port(true));
      if (ep.protocol() == tcp::v6() && l.host.empty()) a->socket.set_option(asio::ip::v6_only(false));
      error_code ec;
      a->socket.bind(ep, ec);
      if (ec)
        throw std::system_error(ec.value(), std::generic_category(),
                                "make_sock: could not bind to address " + l.host + ":" +
                                    std::to_string(port));
      a->socket.listen(options.backlog);
      port = a->socket.local_endpoint().port(); // the ephemeral port, for the other threads
      out.push_back(std::move(a));
    }
    return out;
  }

  void bind_all() {
    unsigned n = options.threads ? options.threads : usable_cpus();
    auto shared = std::make_shared<const ConnectionOptions>(options.connection);
    for (unsigned i = 0; i < n; ++i) {
      workers.push_back(std::make_unique<Worker>());
      workers.back()->options = shared;
    }
    std::vector<BoundAddress> next;
    try {
      for (const auto& l : options.listen) {
        unsigned short port = 0;
        auto acceptors = bind_address(l, port);
        for (std::size_t i = 0; i < workers.size(); ++i)
          workers[i]->acceptors.push_back(std::move(acceptors[i]));
        next.push_back({l, port});
      }
    } catch (...) {
      workers.clear(); // nothing stays bound; a later start() begins afresh
      throw;
    }
    std::lock_guard lock(bound_mutex);
    bound = std::move(next);
  }

  void accept(Worker& w, std::shared_ptr<Acceptor> a) {
    Acceptor& ref = *a;
    ref.socket.async_accept([this, &w, a = std::move(a)](const error_code& ec, tcp::socket socket) mutable {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        if (a->closed) return;
        // Out of descriptors and the like: pause briefly rather than spin.
        a->retry.expires_after(std::chrono::milliseconds(10));
        a->retry.async_wait([this, &w, a](const error_code& e) {
          if (!e && !a->closed) accept(w, a);
        });
        return;
      }
      // accepted before its address was removed: served like any other
      std::make_shared<Connection>(std::move(socket), w.options, *handler, w.connections)->start();
      if (a->closed) return;
      // The rest of a burst now, not one per loop pass (accept_burst.hpp).
      accept_waiting(a->socket, 63, [&](tcp::socket s) {
        std::make_shared<Connection>(std::move(s), w.options, *handler, w.connections)->start();
      });
      accept(w, std::move(a));
    });
  }
};

HttpServer::HttpServer(ServerOptions options, std::shared_ptr<RequestHandler> handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start(FirstLoop first) {
  if (impl_->running) return;
  impl_->bind_all();
  impl_->running = true;
  impl_->first_here = first == FirstLoop::Caller;
  for (auto& w : impl_->workers) {
    for (auto& a : w->acceptors) impl_->accept(*w, a);
    Worker* wp = w.get();
    if (impl_->first_here && w == impl_->workers.front()) {
      // this thread's loop from now on: handlers run here (backend sockets open on it), and
      // update_listeners() called here switches it inline
      set_this_thread_io_context(&wp->io);
      continue;
    }
    w->thread = std::thread([wp] {
      set_this_thread_io_context(&wp->io);
      wp->io.run();
    });
  }
}

void HttpServer::run() {
  if (!impl_->running || !impl_->first_here) return;
  auto& io = impl_->workers.front()->io;
  io.restart();
  // interrupt() sets the flag before it stops the loop: seen here, or its stop() comes after restart()
  if (!impl_->interrupted.load()) io.run();
  impl_->interrupted.store(false);
}

void HttpServer::interrupt() {
  if (impl_->workers.empty()) return;
  impl_->interrupted.store(true);
  impl_->workers.front()->io.stop();
}

boost::asio::io_context& HttpServer::first_loop() {
  return impl_->workers.front()->io;
}

void HttpServer::stop() {
  if (!impl_->running) return;
  impl_->running = false;
  for (auto& w : impl_->workers) {
    Worker* wp = w.get();
    asio::post(w->io, [wp] {
      for (auto& a : wp->acceptors) a->close();
      wp->connections.close_all();
      // The completions the closing queued run first (connections release themselves while their
      // list exists); then the thread ends even if a handler still waits on a timer or a backend
      // (its pending operations are dropped with the io_context, never called).
      asio::post(wp->io, [wp] { wp->io.stop(); });
    });
  }
  if (impl_->first_here) {
    impl_->run_first_here(); // until the posted stop above ends it
    set_this_thread_io_context(nullptr);
  }
  for (auto& w : impl_->workers)
    if (w->thread.joinable()) w->thread.join();
  impl_->workers.clear();
}

std::size_t HttpServer::connections() const {
  std::size_t n = 0;
  for (const auto& w : impl_->workers) n += w->connections.count.load(std::memory_order_relaxed);
  return n;
}

void HttpServer::graceful_stop(std::chrono::milliseconds timeout) {
  if (!impl_->running) return;
  for (auto& w : impl_->workers) {
    Worker* wp = w.get();
    asio::post(w->io, [wp] {
      for (auto& a : wp->acceptors) a->close();
      wp->connections.draining = true;
      wp->connections.close_idle();
    });
  }
  // Connections end on their own (each has its Timeout); poll for the last one. The first loop,
  // when it is this thread's, runs meanwhile (kept from returning early while it has no work).
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto& first = impl_->workers.front()->io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  if (impl_->first_here) {
    first.restart();
    keep_running.emplace(first.get_executor());
  }
  while (connections() > 0 && (timeout.count() == 0 || std::chrono::steady_clock::now() < deadline)) {
    if (impl_->first_here)
      first.run_for(std::chrono::milliseconds(20));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  keep_running.reset();
  stop();
}

void HttpServer::update_connection_options(const ConnectionOptions& options) {
  auto shared = std::make_shared<const ConnectionOptions>(options);
  for (auto& w : impl_->workers) {
    Worker* wp = w.get();
    asio::post(w->io, [wp, shared] { wp->options = shared; });
  }
}

void HttpServer::update_listeners(const std::vector<ListenAddress>& requested,
                                  const std::function<void()>& before_accepting) {
  Impl& impl = *impl_;
  std::vector<ListenAddress> listen; // an address listed twice is bound once
  for (const auto& l : requested)
    if (std::none_of(listen.begin(), listen.end(), [&](const auto& x) { return same_address(x, l); }))
      listen.push_back(l);
  if (!impl.running) {
    impl.options.listen = listen;
    if (before_accepting) before_accepting();
    return;
  }
  std::vector<BoundAddress> current;
  {
    std::lock_guard lock(impl.bound_mutex);
    current = impl.bound;
  }
  // Bind what is new first, here: a failure throws before any thread has changed.
  std::vector<BoundAddress> next;
  std::vector<std::vector<std::shared_ptr<Acceptor>>> added; // per new address, per worker
  for (const auto& l : listen) {
    auto old = std::find_if(current.begin(), current.end(),
                            [&](const BoundAddress& b) { return same_address(b.address, l); });
    if (old != current.end()) {
      next.push_back(*old);
      continue;
    }
    unsigned short port = 0;
    added.push_back(impl.bind_address(l, port));
    next.push_back({l, port});
  }
  if (before_accepting) before_accepting();
  impl.options.listen = listen;
  {
    std::lock_guard lock(impl.bound_mutex);
    impl.bound = next;
  }
  // Each thread swaps its own acceptor list (its handlers read it) and we wait for all of them, so
  // the caller sees the new set in effect when this returns. The calling thread's own loop (the
  // first, with FirstLoop::Caller) switches here and now.
  std::latch switched(static_cast<std::ptrdiff_t>(impl.workers.size()));
  for (std::size_t i = 0; i < impl.workers.size(); ++i) {
    Worker* wp = impl.workers[i].get();
    std::vector<std::shared_ptr<Acceptor>> mine;
    for (auto& per_worker : added) mine.push_back(std::move(per_worker[i]));
    auto swap = [&impl, wp, &listen, mine = std::move(mine), &switched]() mutable {
      std::vector<std::shared_ptr<Acceptor>> kept;
      for (const auto& l : listen) {
        auto it = std::find_if(wp->acceptors.begin(), wp->acceptors.end(),
                               [&](const auto& a) { return same_address(a->address, l); });
        if (it != wp->acceptors.end()) {
          kept.push_back(std::move(*it));
          wp->acceptors.erase(it);
          continue;
        }
        auto fresh = std::find_if(mine.begin(), mine.end(),
                                  [&](const auto& a) { return a && same_address(a->address, l); });
        kept.push_back(std::move(*fresh));
        impl.accept(*wp, kept.back());
      }
      // what is left was removed: its open connections are in wp->connections and carry on
      for (auto& a : wp->acceptors) a->close();
      wp->acceptors = std::move(kept);
      switched.count_down();
    };
    if (this_thread_io_context() == &wp->io)
      swap();
    else
      asio::post(wp->io, std::move(swap));
  }
  switched.wait();
}

std::vector<unsigned short> HttpServer::ports() const {
  std::lock_guard lock(impl_->bound_mutex);
  std::vector<unsigned short> out;
  for (const auto& b : impl_->bound) out.push_back(b.port);
  return out;
}

} // namespace balancerd::net
