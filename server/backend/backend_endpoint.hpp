#pragma once
// Where a worker's connections go: scheme, host and port, or a unix socket path (the
// "unix:/path|http://host/..." form). key() names the endpoint for pool lookup and logs.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace balancerd::directives {
struct Worker;
}

namespace balancerd::backend {

enum class BackendScheme : unsigned char { Http, Https };

struct BackendEndpoint {
  BackendScheme scheme = BackendScheme::Http;
  std::string host; // lower-case, IPv6 without brackets
  std::uint16_t port = 80;
  std::string uds_path; // non-empty: connect to this unix socket (host/port still name the Host header)
  // ProxySourceAddress of the request's server: TCP connections are bound to this local address
  // before connecting ("" = the system's choice). Part of the endpoint, so pools of one worker
  // used by servers with different source addresses do not share connections.
  std::string source_address;

  bool is_unix() const noexcept { return !uds_path.empty(); }
  // "http://host:port" (IPv6 bracketed), or "unix:/path|http://host:port".
  std::string key() const;
  // "host:port" as Apache's connect messages show it ("(127.0.0.1:8080)").
  std::string host_port() const;

  // Parses the scheme and authority of a backend URL: "http://h[:p]/...", "https://[::1]:8443/...",
  // "unix:/run/app.sock|http://localhost/...". ws/wss map to http/https. Other schemes, a missing
  // host, or a bad port give nullopt.
  static std::optional<BackendEndpoint> from_url(std::string_view url);
  // From a configured worker (scheme, hostname, port, uds_path already normalised by the config).
  static BackendEndpoint from_worker(const directives::Worker& w);

  bool operator==(const BackendEndpoint&) const = default;
};

} // namespace balancerd::backend
