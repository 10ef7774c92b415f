#include "server/backend/address_cache.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>

namespace balancerd::backend {

std::string ResolvedAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (storage.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  if (storage.ss_family == AF_UNIX) return reinterpret_cast<const sockaddr_un*>(&storage)->sun_path;
  return "?";
}

BackendError AddressCache::resolve(const BackendEndpoint& ep, std::vector<ResolvedAddress>& out) {
  out.clear();
  if (ep.is_unix()) {
    ResolvedAddress a;
    auto* un = reinterpret_cast<sockaddr_un*>(&a.storage);
    if (ep.uds_path.size() >= sizeof un->sun_path) return BackendError::Resolve;
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, ep.uds_path.data(), ep.uds_path.size());
    a.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + ep.uds_path.size() + 1);
    out.push_back(a);
    return BackendError::None;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  // Numeric addresses never reach the resolver.
  in6_addr probe6;
  in_addr probe4;
  if (inet_pton(AF_INET, ep.host.c_str(), &probe4) == 1 || inet_pton(AF_INET6, ep.host.c_str(), &probe6) == 1)
    hints.ai_flags |= AI_NUMERICHOST;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(ep.port);
  if (getaddrinfo(ep.host.c_str(), port.c_str(), &hints, &res) != 0 || !res) return BackendError::Resolve;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    ResolvedAddress a;
    std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
    a.length = static_cast<socklen_t>(ai->ai_addrlen);
    out.push_back(a);
  }
  freeaddrinfo(res);
  return out.empty() ? BackendError::Resolve : BackendError::None;
}

std::span<const ResolvedAddress> AddressCache::lookup(const BackendEndpoint& ep, BackendError& err,
                                                      Clock::time_point now) {
  err = BackendError::None;
  const bool fresh =
      !addresses_.empty() &&
      (ttl_seconds_ < 0 || (ttl_seconds_ > 0 && now - resolved_at_ < std::chrono::seconds(ttl_seconds_)));
  if (fresh) return addresses_;
  ++resolutions_;
  err = resolve(ep, addresses_);
  if (err != BackendError::None) {
    addresses_.clear();
    return {};
  }
  resolved_at_ = now;
  return addresses_;
}

} // namespace balancerd::backend
