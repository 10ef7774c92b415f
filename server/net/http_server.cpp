#include "server/net/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <sched.h>

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

// One thread: its io_context, its acceptors (one per listen address, all SO_REUSEPORT), its
// connections.
struct Worker {
  asio::io_context io{1};
  std::vector<tcp::acceptor> acceptors;
  std::vector<std::unique_ptr<asio::steady_timer>> retry;
  ConnectionList connections;
  // What new connections get; replaced on this thread only (update_connection_options posts it).
  std::shared_ptr<const ConnectionOptions> options;
  std::thread thread;
};

} // namespace

struct HttpServer::Impl {
  ServerOptions options;
  std::shared_ptr<RequestHandler> handler;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<unsigned short> ports;
  bool running = false;

  void bind_all() {
    unsigned n = options.threads ? options.threads : usable_cpus();
    auto shared = std::make_shared<const ConnectionOptions>(options.connection);
    for (unsigned i = 0; i < n; ++i) {
      workers.push_back(std::make_unique<Worker>());
      workers.back()->options = shared;
    }
    ports.clear();
    for (const auto& l : options.listen) {
      unsigned short port = l.port;
      for (auto& w : workers) {
        tcp::endpoint ep = endpoint_for(l, port);
        tcp::acceptor a(w->io);
        a.open(ep.protocol());
        a.set_option(tcp::acceptor::reuse_address(true));
        a.set_option(reuse_port(true));
        if (ep.protocol() == tcp::v6() && l.host.empty()) a.set_option(asio::ip::v6_only(false));
        error_code ec;
        a.bind(ep, ec);
        if (ec)
          throw std::system_error(ec.value(), std::generic_category(),
                                  "make_sock: could not bind to address " + l.host + ":" +
                                      std::to_string(port));
        a.listen(options.backlog);
        port = a.local_endpoint().port(); // the ephemeral port, for the other threads
        w->acceptors.push_back(std::move(a));
        w->retry.push_back(std::make_unique<asio::steady_timer>(w->io));
      }
      ports.push_back(port);
    }
  }

  void accept(Worker& w, std::size_t i) {
    w.acceptors[i].async_accept([this, &w, i](const error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of descriptors and the like: pause briefly rather than spin.
        w.retry[i]->expires_after(std::chrono::milliseconds(10));
        w.retry[i]->async_wait([this, &w, i](const error_code& e) {
          if (!e) accept(w, i);
        });
        return;
      }
      std::make_shared<Connection>(std::move(socket), w.options, *handler, w.connections)->start();
      // The rest of a burst now, not one per loop pass (accept_burst.hpp).
      accept_waiting(w.acceptors[i], 63, [&](tcp::socket s) {
        std::make_shared<Connection>(std::move(s), w.options, *handler, w.connections)->start();
      });
      accept(w, i);
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

void HttpServer::start() {
  if (impl_->running) return;
  impl_->bind_all();
  impl_->running = true;
  for (auto& w : impl_->workers) {
    for (std::size_t i = 0; i < w->acceptors.size(); ++i) impl_->accept(*w, i);
    Worker* wp = w.get();
    w->thread = std::thread([wp] {
      set_this_thread_io_context(&wp->io);
      wp->io.run();
    });
  }
}

void HttpServer::stop() {
  if (!impl_->running) return;
  impl_->running = false;
  for (auto& w : impl_->workers) {
    Worker* wp = w.get();
    asio::post(w->io, [wp] {
      error_code ec;
      for (auto& a : wp->acceptors) a.close(ec);
      for (auto& t : wp->retry) t->cancel();
      wp->connections.close_all();
      // The completions the closing queued run first (connections release themselves while their
      // list exists); then the thread ends even if a handler still waits on a timer or a backend
      // (its pending operations are dropped with the io_context, never called).
      asio::post(wp->io, [wp] { wp->io.stop(); });
    });
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
      error_code ec;
      for (auto& a : wp->acceptors) a.close(ec);
      for (auto& t : wp->retry) t->cancel();
      wp->connections.draining = true;
      wp->connections.close_idle();
    });
  }
  // Connections end on their own (each has its Timeout); poll for the last one.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (connections() > 0 && (timeout.count() == 0 || std::chrono::steady_clock::now() < deadline))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop();
}

void HttpServer::update_connection_options(const ConnectionOptions& options) {
  auto shared = std::make_shared<const ConnectionOptions>(options);
  for (auto& w : impl_->workers) {
    Worker* wp = w.get();
    asio::post(w->io, [wp, shared] { wp->options = shared; });
  }
}

std::vector<unsigned short> HttpServer::ports() const {
  return impl_->ports;
}

} // namespace balancerd::net
