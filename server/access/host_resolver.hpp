#pragma once
// Name lookups for "Require host", "Require forward-dns" and "Allow from <domain>". Injectable so
// tests (and a runtime with its own resolver or cache) decide the answers; SystemHostResolver
// uses getnameinfo/getaddrinfo and blocks, as Apache's lookups do.
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::access {

class HostResolver {
public:
  virtual ~HostResolver() = default;
  // PTR name of a textual address; empty when there is none.
  virtual std::string reverse(std::string_view ip) = 0;
  // Addresses (textual, canonical inet_ntop form) a name resolves to.
  virtual std::vector<std::string> forward(std::string_view name) = 0;
};

class SystemHostResolver : public HostResolver {
public:
  std::string reverse(std::string_view ip) override;
  std::vector<std::string> forward(std::string_view name) override;
};

// Apache's REMOTE_DOUBLE_REV: the reverse name counts only if it resolves back to `ip`.
// Empty when it does not.
std::string double_reverse_lookup(HostResolver& resolver, std::string_view ip);

// Apache's in_domain(): `domain` matches `host` when equal or a suffix at a '.' boundary
// (".example.org" and "example.org" both match "www.example.org"); case-insensitive.
bool host_in_domain(std::string_view domain, std::string_view host);

} // namespace balancerd::access
