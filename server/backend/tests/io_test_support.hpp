#pragma once
// Running an io_context until a condition holds, bounded in time, for the socket tests.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "server/backend/address_cache.hpp"
#include "server/backend/backend_endpoint.hpp"

namespace balancerd::backend::testing {

// Runs io until done() or the limit; returns done().
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return done();
}

// Runs io for a while (lets timers and the peer act).
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds t) {
  auto end = std::chrono::steady_clock::now() + t;
  while (std::chrono::steady_clock::now() < end) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
}

inline BackendEndpoint loopback(std::uint16_t port) {
  BackendEndpoint ep;
  ep.host = "127.0.0.1";
  ep.port = port;
  return ep;
}

inline std::vector<ResolvedAddress> resolve(const BackendEndpoint& ep) {
  std::vector<ResolvedAddress> out;
  AddressCache::resolve(ep, out);
  return out;
}

inline const std::string kRequest = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
inline const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";

} // namespace balancerd::backend::testing
