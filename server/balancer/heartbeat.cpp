#include "server/balancer/heartbeat.hpp"

#include "directives/ci_string.hpp"
#include "directives/modules/proxy_numbers.hpp"
#include "parser/hex_digit.hpp"

#include <fstream>
#include <sstream>

namespace balancerd::balancer {

namespace {

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const int hi = s[i] == '%' && i + 2 < s.size() ? parser::hex_digit_value(s[i + 1]) : -1;
    const int lo = hi >= 0 ? parser::hex_digit_value(s[i + 2]) : -1;
    if (lo >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void parse_line(std::string_view line, HeartbeatTable& table) {
  if (line.empty() || line[0] == '#') return;
  const std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return;
  const std::string ip(line.substr(0, sp));
  HeartbeatServer* server = nullptr;
  for (HeartbeatServer& s : table.servers) {
    if (s.ip == ip) server = &s;
  }
  if (!server) {
    table.servers.push_back(HeartbeatServer{ip, 0, 0, -1, 80});
    server = &table.servers.back();
  }
  // The query-string part: '&'-separated key=value pairs (a key alone means "1"); the last
  // occurrence of a key wins, keys compare case-insensitively.
  std::optional<std::string> busy, ready, seen, port;
  std::string_view rest = line.substr(sp + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view item = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    const std::string key = unescape(item.substr(0, eq));
    const std::string value = eq == std::string_view::npos ? std::string("1") : unescape(item.substr(eq + 1));
    if (directives::ci_equal(key, "busy"))
      busy = value;
    else if (directives::ci_equal(key, "ready"))
      ready = value;
    else if (directives::ci_equal(key, "lastseen"))
      seen = value;
    else if (directives::ci_equal(key, "port"))
      port = value;
  }
  if (busy) server->busy = directives::proxy::c_atoi(*busy);
  if (ready) server->ready = directives::proxy::c_atoi(*ready);
  if (seen) server->seen = directives::proxy::c_atoi(*seen);
  if (port) server->port = directives::proxy::c_atoi(*port);
  // An idle backend with many ready slots has probably just started: count a quarter of them so it
  // is not flooded at once.
  if (server->busy == 0 && server->ready != 0) server->ready /= 4;
}

} // namespace

const HeartbeatServer* HeartbeatTable::find(std::string_view ip) const {
  for (const HeartbeatServer& s : servers) {
    if (s.ip == ip) return &s;
  }
  return nullptr;
}

HeartbeatTable parse_heartbeats(std::string_view text) {
  HeartbeatTable table;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1);
    text.remove_prefix(line.size());
    // Apache overwrites the line's last byte (its newline) with the terminator, so a last line
    // without a newline loses its last character.
    line.remove_suffix(1);
    parse_line(line, table);
  }
  return table;
}

std::optional<HeartbeatTable> read_heartbeats(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_heartbeats(ss.str());
}

} // namespace balancerd::balancer
