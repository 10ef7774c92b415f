#include "server/access/host_resolver.hpp"

#include "directives/ci_string.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>

namespace balancerd::access {
namespace {

// Canonical text of an address ("::ffff:1.2.3.4" stays as inet_ntop writes it).
std::string canonical(std::string_view ip) {
  char in[64];
  if (ip.size() >= sizeof in) return std::string(ip);
  ip.copy(in, ip.size());
  in[ip.size()] = '\0';
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, in, buf) == 1 && inet_ntop(AF_INET, buf, out, sizeof out)) return out;
  if (inet_pton(AF_INET6, in, buf) == 1 && inet_ntop(AF_INET6, buf, out, sizeof out)) return out;
  return std::string(ip);
}

} // namespace

std::string SystemHostResolver::reverse(std::string_view ip) {
  const std::string text(ip);
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    len = sizeof *v6;
  } else {
    return {};
  }
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, nullptr, 0, NI_NAMEREQD) != 0)
    return {};
  return host;
}

std::vector<std::string> SystemHostResolver::forward(std::string_view name) {
  std::vector<std::string> out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(std::string(name).c_str(), nullptr, &hints, &res) != 0) return out;
  for (addrinfo* a = res; a; a = a->ai_next) {
    char buf[INET6_ADDRSTRLEN];
    const void* src = a->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (inet_ntop(a->ai_family, src, buf, sizeof buf)) out.emplace_back(buf);
  }
  freeaddrinfo(res);
  return out;
}

std::string double_reverse_lookup(HostResolver& resolver, std::string_view ip) {
  std::string name = resolver.reverse(ip);
  if (name.empty()) return name;
  const std::string want = canonical(ip);
  for (const std::string& a : resolver.forward(name))
    if (canonical(a) == want) return name;
  return {};
}

bool host_in_domain(std::string_view domain, std::string_view host) {
  if (domain.empty() || host.empty()) return false;
  if (domain.size() > host.size()) return false;
  const std::string_view tail = host.substr(host.size() - domain.size());
  if (!directives::ci_equal(tail, domain)) return false;
  return domain.size() == host.size() || domain.front() == '.' ||
         host[host.size() - domain.size() - 1] == '.';
}

} // namespace balancerd::access
