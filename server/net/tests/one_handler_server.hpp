#pragma once
// For net tests that drive a client Connection end to end: an HttpServer with one io thread on an
// ephemeral loopback port serving the test's own handler, a blocking send of a whole request, and a
// bounded wait for a counter the io thread bumps (a write's callback may run just after the client
// already has the bytes).
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string_view>
#include <thread>
#include <utility>

#include "server/net/http_server.hpp"

namespace balancerd::net::testing_net {

template <class Handler> struct OneHandlerServer {
  template <class... Args>
  explicit OneHandlerServer(Args&&... args)
      : handler(std::make_shared<Handler>(std::forward<Args>(args)...)) {
    ServerOptions o;
    o.listen.push_back({"127.0.0.1", 0});
    o.threads = 1;
    server = std::make_unique<HttpServer>(o, handler);
    server->start();
    port = server->ports().at(0);
  }
  ~OneHandlerServer() { server->stop(); }
  OneHandlerServer(const OneHandlerServer&) = delete;
  OneHandlerServer& operator=(const OneHandlerServer&) = delete;

  std::shared_ptr<Handler> handler;
  std::unique_ptr<HttpServer> server;
  unsigned short port = 0;
};

inline void send_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Up to 2 s for v to reach want; returns what it reached.
inline int wait_for(const std::atomic<int>& v, int want) {
  for (int i = 0; i < 200 && v.load() < want; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return v.load();
}

} // namespace balancerd::net::testing_net
