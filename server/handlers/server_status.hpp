#pragma once
// mod_status: the "?auto" machine-readable form with Apache's keys in Apache's order, and a plain
// HTML page otherwise (simpler than Apache's: no scoreboard table, no per-worker rows). With
// ProxyStatus On (or Full) and balancers, mod_proxy's lines follow, as Apache prints them: the
// "ProxyBalancer[i]..." keys after the ?auto keys, the "Proxy LoadBalancer Status" sections and
// their legend at the end of the HTML page.
#include <cstdint>
#include <string>

#include "server/net/exchange.hpp"

namespace balancerd::balancer {
class StateStore;
}

namespace balancerd::handlers {

struct StatusInfo {
  std::int64_t started_sec = 0;
  std::uint64_t requests = 0;
  std::string server_name;
  unsigned threads = 1;
  // ProxyStatus: the balancers of server `server_index` (-1: main) are listed when `proxy_status`
  // is set (ProxyStatus On or Full of that server) and `store` is given.
  balancer::StateStore* store = nullptr;
  int server_index = -1;
  bool proxy_status = false;
};

// The ProxyStatus lines for `info` ("" when ProxyStatus is off, no store, or no balancers).
void append_proxy_status(std::string& out, const StatusInfo& info, bool auto_form);

// Appends the ?auto body for `now_sec`.
void append_status_auto(std::string& out, const StatusInfo& info, std::int64_t now_sec);
// Apache's uptime text (" 1 hour 2 minutes 3 seconds", "" for zero).
void append_uptime(std::string& out, std::int64_t seconds);
void serve_server_status(net::Exchange& ex, const StatusInfo& info);

} // namespace balancerd::handlers
