#pragma once
// Virtual host selection as Apache 2.4 does it (vhost.c's behaviour, spec §6.2): built once from the
// config, then asked per connection (local address and port) and per request (host name).
//  1. IP-specific vhosts for the local address beat wildcard ones: exact IP and port first, then the
//     IP with any port (<VirtualHost 127.0.0.1> or 127.0.0.1:*); otherwise the "*:port" (and
//     "_default_:port") vhosts, then "*" / "_default_" without port. None → the main server.
//  2. Within that chain, the first vhost (config order) whose ServerName or ServerAlias matches
//     the host wins; otherwise the chain's first vhost (the "default server" of `-S`).
#include "directives/model/config.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace balancerd::runtime {

// An IP address in network byte order (IPv4 in the first 4 bytes). An IPv4-mapped IPv6 address is
// stored as IPv4, as a dual-stack listener reports IPv4 clients.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};

  static std::optional<IpAddress> parse(std::string_view text); // "127.0.0.1", "::1", "[::1]"
  static IpAddress from_bytes(const std::uint8_t* data, bool is_v6);
  auto operator<=>(const IpAddress&) const = default;
};

// Where a connection arrived: the local address and port of the accepted socket.
struct LocalEndpoint {
  IpAddress ip;
  std::uint16_t port = 0;
};

// Index of a server: kMainServer or an index into Config::vhosts.
inline constexpr int kMainServer = -1;

class VhostSelector {
public:
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  // A name chain: the vhosts sharing one address key, in config order, with an index of their
  // exact names (ServerName and plain ServerAlias → first position in the chain having it) so that
  // a request does not compare against every vhost; wildcard aliases are tried in order.
  struct Chain {
    std::vector<int> vhosts;
    std::unordered_map<std::string, std::size_t, NameHash, std::equal_to<>> exact;
    std::vector<std::size_t> wild; // positions of vhosts with wildcard aliases, ascending
  };

  // `main_name`: the main server's name when it has no ServerName (CompileResult::fqdn), which
  // vhosts without their own ServerName inherit for matching.
  explicit VhostSelector(const directives::Config& config, std::string main_name = {});

  // Step 1, once per connection: the chain serving this local endpoint, nullptr → main server.
  const Chain* chain_for(const LocalEndpoint& local) const;
  // Step 2, per request: `host` as normalize_host() returns it ("" when the request has none).
  int select(const Chain* chain, std::string_view host) const;
  // Both steps.
  int select(const LocalEndpoint& local, std::string_view host) const {
    return select(chain_for(local), host);
  }

  // The name a vhost is matched by (its ServerName, or the main server's), lower-cased.
  const std::string& server_name(int vhost) const { return names_.at(static_cast<std::size_t>(vhost)).name; }

private:
  struct Names {
    std::string name;               // ServerName or inherited, lower-cased
    std::vector<std::string> exact; // ServerAlias without wildcards, lower-cased
    std::vector<std::string> wild;  // ServerAlias with wildcards, lower-cased
  };
  struct IpKey {
    IpAddress ip;
    std::uint16_t port = 0; // 0: any port
    auto operator<=>(const IpKey&) const = default;
  };
  void add(Chain& chain, int vhost);
  void index(Chain& chain) const;

  std::vector<Names> names_;
  std::map<IpKey, Chain> by_ip_;
  std::map<std::uint16_t, Chain> wildcard_; // "*:port"; key 0 for "*" without port
};

} // namespace balancerd::runtime
