#pragma once
// The HTTP/1.1 listener: one io_context per thread, each with its own SO_REUSEPORT acceptor per
// listen address, so a connection lives on one thread for its whole life and nothing is locked on the
// request path. Asio stays behind the pimpl.
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "server/net/exchange.hpp"
#include "server/net/server_options.hpp"

namespace boost::asio {
class io_context;
}

namespace balancerd::net {

class HttpServer {
public:
  // Where the first io loop runs: on a thread of its own, or on the thread that calls run() (a
  // server with one io loop is then one thread, and the kernel takes no per-call reference on the
  // descriptors of a process that shares its file table with no other thread).
  enum class FirstLoop { OwnThread, Caller };

  HttpServer(ServerOptions options, std::shared_ptr<RequestHandler> handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds every listen address (throws std::system_error with the OS error if one cannot be bound)
  // and starts the threads (with FirstLoop::Caller, all but the first loop's: see run()).
  void start(FirstLoop first = FirstLoop::OwnThread);
  // FirstLoop::Caller: runs the first io loop on the calling thread until interrupt() (or, when no
  // stop or graceful stop follows, until run() is called again, its connections wait). Call from
  // the thread that calls start() and stop().
  void run();
  // Makes run() return soon. Any thread; from a handler of the first loop too.
  void interrupt();
  // The first io loop, for the caller's own event sources (a signalfd), valid until stop().
  boost::asio::io_context& first_loop();
  // Stops accepting, drops connections and joins the threads (with FirstLoop::Caller the first
  // loop runs here until its connections are closed). Not from a handler of an io loop. Idempotent.
  void stop();
  // Graceful stop (apache2 -k graceful-stop): stops accepting, closes idle keep-alive connections,
  // lets requests in flight finish (their connections close after the response), then stop()s.
  // Waits at most `timeout` (GracefulShutdownTimeout; zero: until the last connection ends). With
  // FirstLoop::Caller the first loop runs here meanwhile. Not from a handler of an io loop.
  void graceful_stop(std::chrono::milliseconds timeout);
  // A graceful reload's Timeout, KeepAlive*, LimitRequest*, ServerTokens...: connections accepted from
  // now on use them; open connections keep the options they were accepted with.
  void update_connection_options(const ConnectionOptions& options);
  // A reload's Listen set (Apache's new children listen exactly there): the addresses not bound yet
  // are bound on the calling thread (same options as start(); throws std::system_error as start()
  // does, and then nothing has changed); then `before_accepting` runs (the reload publishes its
  // configuration there, so no connection on a new address sees the old one); then each io thread
  // starts accepting on the new addresses and closes its acceptors of the removed ones. Unchanged
  // addresses keep their sockets (no refused connection during the reload); connections accepted
  // on a removed address finish as they would have. Matching is on the configured host and port
  // (port 0 stays 0). Call from the thread that calls start() and stop(), or from one it started
  // while run() serves (a reload thread), never alongside stop(); returns once every io loop has
  // switched. Not running: only records the set for start().
  void update_listeners(const std::vector<ListenAddress>& listen,
                        const std::function<void()>& before_accepting = {});
  // Open connections over all threads (tests, graceful stop).
  std::size_t connections() const;
  // The bound port of each listen address, in order (useful with port 0); the reloaded set after
  // update_listeners().
  std::vector<unsigned short> ports() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace balancerd::net
