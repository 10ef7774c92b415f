#pragma once
// mod_heartmonitor's storage file as mod_lbmethod_heartbeat reads it. One line per backend:
//   "<IP> &ready=<n>&busy=<n>&lastseen=<seconds>&port=<n>"
// (the query-string part after the first space is split on '&' into key=value pairs; lines starting
// with '#' and lines without a space are skipped). A backend with busy == 0 and ready != 0 counts a
// quarter of its ready slots (it probably just started). An entry is fresh when lastseen < 10 s.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::balancer {

struct HeartbeatServer {
  std::string ip;
  int busy = 0;
  int ready = 0;
  int seen = -1; // lastseen: seconds since the backend was last heard of
  int port = 80;
  bool operator==(const HeartbeatServer&) const = default;
};

struct HeartbeatTable {
  std::vector<HeartbeatServer> servers; // first appearance order; a later line for an IP updates it
  const HeartbeatServer* find(std::string_view ip) const;
};

inline constexpr int kHeartbeatMaxLastSeen = 10;

// HeartbeatStorage's default. apache2 resolves "hb.dat" against its compiled-in runtime directory when
// it creates the server config, before DefaultRuntimeDir is read, so the default never follows
// DefaultRuntimeDir (measured: AH01213 names /var/run/apache2/hb.dat with DefaultRuntimeDir elsewhere).
// An explicit relative HeartbeatStorage is resolved against DefaultRuntimeDir.
inline constexpr std::string_view kHeartbeatDefaultStorage = "/var/run/apache2/hb.dat";

HeartbeatTable parse_heartbeats(std::string_view text);
// Reads and parses the file; nullopt when it cannot be read (Apache: AH01213, no worker -> 503).
std::optional<HeartbeatTable> read_heartbeats(const std::string& path);

} // namespace balancerd::balancer
