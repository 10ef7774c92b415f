#include "server/access/host_cache.hpp"

#include "directives/ci_string.hpp"

namespace balancerd::access {

CachingHostResolver::CachingHostResolver(std::unique_ptr<HostResolver> inner, Clock::time_point (*now)())
    : inner_(std::move(inner)), now_(now) {}

std::string CachingHostResolver::reverse(std::string_view ip) {
  const auto now = now_();
  std::string key(ip);
  if (auto it = reverse_.find(key); it != reverse_.end() && it->second.expires > now) return it->second.value;
  std::string name = inner_->reverse(ip);
  if (reverse_.size() >= kMaxEntries) reverse_.clear();
  reverse_[std::move(key)] = {name, now + kTtl};
  return name;
}

std::vector<std::string> CachingHostResolver::forward(std::string_view name) {
  const auto now = now_();
  std::string key(name);
  if (auto it = forward_.find(key); it != forward_.end() && it->second.expires > now) return it->second.value;
  std::vector<std::string> addrs = inner_->forward(name);
  if (forward_.size() >= kMaxEntries) forward_.clear();
  forward_[std::move(key)] = {addrs, now + kTtl};
  return addrs;
}

namespace {
thread_local HostResolver* test_resolver = nullptr;
}

HostResolver& thread_host_resolver() {
  if (test_resolver) return *test_resolver;
  thread_local CachingHostResolver resolver(std::make_unique<SystemHostResolver>());
  return resolver;
}

HostResolver* override_thread_host_resolver(HostResolver* resolver) {
  HostResolver* previous = test_resolver;
  test_resolver = resolver;
  return previous;
}

std::string lookup_remote_host(HostResolver& resolver, std::string_view mode, std::string_view ip) {
  if (ip.empty()) return {};
  std::string name = mode == "on"       ? resolver.reverse(ip)
                     : mode == "double" ? double_reverse_lookup(resolver, ip)
                                        : std::string();
  for (char& c : name) c = directives::ascii_lower(c);
  return name;
}

} // namespace balancerd::access
