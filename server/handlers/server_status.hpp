#pragma once
// mod_status: the "?auto" machine-readable form with Apache's keys in Apache's order, and a plain
// HTML page otherwise (simpler than Apache's: no scoreboard table, no per-worker rows).
#include <cstdint>
#include <string>

#include "server/net/exchange.hpp"

namespace balancerd::handlers {

struct StatusInfo {
  std::int64_t started_sec = 0;
  std::uint64_t requests = 0;
  std::string server_name;
  unsigned threads = 1;
};

// Appends the ?auto body for `now_sec`.
void append_status_auto(std::string& out, const StatusInfo& info, std::int64_t now_sec);
// Apache's uptime text (" 1 hour 2 minutes 3 seconds", "" for zero).
void append_uptime(std::string& out, std::int64_t seconds);
void serve_server_status(net::Exchange& ex, const StatusInfo& info);

} // namespace balancerd::handlers
