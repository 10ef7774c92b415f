#pragma once
// Name lookups on the request path (HostnameLookups, Require host): a per-thread cache in front of
// a resolver. Apache looks names up synchronously for every connection that needs one; here an io
// thread asks the system resolver at most once per address and name per kTtl, so a busy client
// costs one lookup a minute, not one per request. A miss still blocks the thread for as long as the
// system resolver takes (bounded by resolv.conf's timeout and attempts), as it does in Apache.
#include "server/access/host_resolver.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace balancerd::access {

class CachingHostResolver : public HostResolver {
public:
  static constexpr std::chrono::seconds kTtl{60};
  static constexpr std::size_t kMaxEntries = 1024; // per table; a full table is emptied

  using Clock = std::chrono::steady_clock;
  // `inner` does the lookups; `now` is the clock (tests move it).
  explicit CachingHostResolver(std::unique_ptr<HostResolver> inner, Clock::time_point (*now)() = &Clock::now);

  std::string reverse(std::string_view ip) override;
  std::vector<std::string> forward(std::string_view name) override;

private:
  template <class V> struct Entry {
    V value;
    Clock::time_point expires;
  };
  std::unique_ptr<HostResolver> inner_;
  Clock::time_point (*now_)();
  std::unordered_map<std::string, Entry<std::string>> reverse_;
  std::unordered_map<std::string, Entry<std::vector<std::string>>> forward_;
};

// This thread's caching resolver over the system's (getnameinfo/getaddrinfo).
HostResolver& thread_host_resolver();
// Tests: makes thread_host_resolver() return `resolver` on this thread (null: the system's again).
// Returns the previous override.
HostResolver* override_thread_host_resolver(HostResolver* resolver);

// HostnameLookups' answer for %h and REMOTE_HOST: `mode` is the directive's word ("on", "double";
// anything else means off and gives ""). "on": the PTR name; "double": the name only if it
// resolves back to `ip`. Lower case, as Apache logs it; "" when there is no name.
std::string lookup_remote_host(HostResolver& resolver, std::string_view mode, std::string_view ip);

} // namespace balancerd::access
