#pragma once
// The resolved addresses of one endpoint, kept for the worker's address_ttl (Apache resolves a
// worker's host once, or again after addressttl= seconds). Numeric hosts skip the resolver.
// Resolution is synchronous (getaddrinfo), as Apache's is; loopback and numeric names are instant.
#include <sys/socket.h>

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "server/backend/backend_endpoint.hpp"
#include "server/backend/backend_error.hpp"

namespace balancerd::backend {

struct ResolvedAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family() const noexcept { return storage.ss_family; }
  std::string to_string() const; // "127.0.0.1:80", "[::1]:80", "/path/sock"
};

class AddressCache {
public:
  using Clock = std::chrono::steady_clock;

  // ttl_seconds: -1 keeps the first result forever, 0 resolves on every call.
  explicit AddressCache(int ttl_seconds = -1) noexcept : ttl_seconds_(ttl_seconds) {}
  void set_ttl(int ttl_seconds) noexcept { ttl_seconds_ = ttl_seconds; }

  // The addresses for ep, in the resolver's order (one unix-socket address for a UDS endpoint).
  // On failure returns an empty span and sets err (Resolve).
  std::span<const ResolvedAddress> lookup(const BackendEndpoint& ep, BackendError& err,
                                          Clock::time_point now);
  void clear() noexcept { addresses_.clear(); }
  unsigned resolutions() const noexcept { return resolutions_; } // for tests: how often it resolved

  // One-shot resolution without caching.
  static BackendError resolve(const BackendEndpoint& ep, std::vector<ResolvedAddress>& out);

private:
  int ttl_seconds_;
  std::vector<ResolvedAddress> addresses_;
  Clock::time_point resolved_at_{};
  unsigned resolutions_ = 0;
};

} // namespace balancerd::backend
