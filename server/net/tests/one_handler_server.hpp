#pragma once
// For net tests that drive a client Connection end to end: an HttpServer with one io thread on an
// ephemeral loopback port serving the test's own handler, a blocking send of a whole request, a
// reader of one response (Content-Length or chunked), and a bounded wait for a counter the io thread
// bumps (a write's callback may run just after the client already has the bytes).
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
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

// Reads one response with a Content-Length or a chunked body (the big one), returns its body; bytes
// after it (a pipelined response) stay in `buf` for the next call.
inline std::string read_response(int fd, std::string& head, std::string& buf) {
  char tmp[65536];
  std::size_t head_end = std::string::npos;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return {};
    buf.append(tmp, static_cast<std::size_t>(n));
  }
  head = buf.substr(0, head_end + 4);
  std::string rest = buf.substr(head_end + 4);
  const auto cl = head.find("Content-Length: ");
  if (cl != std::string::npos) {
    const std::size_t len = std::stoul(head.substr(cl + 16));
    while (rest.size() < len) {
      const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) return {};
      rest.append(tmp, static_cast<std::size_t>(n));
    }
    buf = rest.substr(len);
    return rest.substr(0, len);
  }
  // chunked: read until the last chunk, then decode
  for (std::size_t from = 0; rest.find("\r\n0\r\n\r\n", from) == std::string::npos;) {
    from = rest.size() < 7 ? 0 : rest.size() - 7; // only the new bytes (and a split marker) again
    const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return {};
    rest.append(tmp, static_cast<std::size_t>(n));
  }
  std::string body;
  std::size_t pos = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    const std::size_t eol = rest.find("\r\n", pos);
    if (eol == std::string::npos) return {};
    const std::size_t size = std::stoul(rest.substr(pos, eol - pos), nullptr, 16);
    if (size == 0) {
      buf = rest.substr(eol + 4); // past "0\r\n\r\n"
      return body;
    }
    body.append(rest, eol + 2, size);
    pos = eol + 2 + size + 2;
  }
  return {};
}

} // namespace balancerd::net::testing_net
