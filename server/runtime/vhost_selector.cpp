#include "server/runtime/vhost_selector.hpp"

#include "directives/ci_string.hpp"
#include "server/runtime/host_match.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace balancerd::runtime {

namespace {

// A vhost address's IPs: the literal, or every address its host name resolves to (Apache binds a
// name-based address to all of them at startup). Names that do not resolve were already reported
// and dropped by the directive handler; one failing here now is skipped the same way.
std::vector<IpAddress> resolve_host(const std::string& host) {
  if (auto ip = IpAddress::parse(host)) return {*ip};
  std::vector<IpAddress> out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    IpAddress ip;
    if (ai->ai_family == AF_INET)
      ip = IpAddress::from_bytes(
          reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr),
          false);
    else if (ai->ai_family == AF_INET6)
      ip = IpAddress::from_bytes(
          reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr),
          true);
    else
      continue;
    if (std::find(out.begin(), out.end(), ip) == out.end()) out.push_back(ip);
  }
  ::freeaddrinfo(res);
  return out;
}

} // namespace

IpAddress IpAddress::from_bytes(const std::uint8_t* data, bool is_v6) {
  IpAddress ip;
  static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (is_v6 && std::memcmp(data, mapped, 12) == 0) {
    std::memcpy(ip.bytes.data(), data + 12, 4);
    return ip;
  }
  ip.v6 = is_v6;
  std::memcpy(ip.bytes.data(), data, is_v6 ? 16 : 4);
  return ip;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  std::uint8_t raw[16];
  if (::inet_pton(AF_INET, buf, raw) == 1) return from_bytes(raw, false);
  if (::inet_pton(AF_INET6, buf, raw) == 1) return from_bytes(raw, true);
  return std::nullopt;
}

void VhostSelector::add(Chain& chain, int vhost) {
  // A vhost listing the same address twice is one entry of the chain.
  if (chain.vhosts.empty() || chain.vhosts.back() != vhost) chain.vhosts.push_back(vhost);
}

VhostSelector::VhostSelector(const directives::Config& config, std::string main_name) {
  const std::string inherited = directives::ascii_lower(
      config.main.core.server_name ? std::string_view(*config.main.core.server_name) : main_name);
  names_.reserve(config.vhosts.size());
  for (std::size_t i = 0; i < config.vhosts.size(); ++i) {
    const auto& core = config.vhosts[i].core;
    Names n;
    n.name = core.server_name ? directives::ascii_lower(*core.server_name) : inherited;
    for (const std::string& alias : core.aliases)
      (has_wildcard(alias) ? n.wild : n.exact).push_back(directives::ascii_lower(alias));
    names_.push_back(std::move(n));
    const int index = static_cast<int>(i);
    for (const directives::VhostAddress& a : core.addresses) {
      const std::uint16_t port = a.port.value_or(0);
      if (a.host == "*") {
        add(wildcard_[port], index);
        continue;
      }
      for (const IpAddress& ip : resolve_host(a.host)) add(by_ip_[IpKey{ip, port}], index);
    }
  }
  for (auto& [key, chain] : by_ip_) this->index(chain);
  for (auto& [port, chain] : wildcard_) this->index(chain);
}

const VhostSelector::Chain* VhostSelector::chain_for(const LocalEndpoint& local) const {
  if (!by_ip_.empty()) {
    if (auto it = by_ip_.find(IpKey{local.ip, local.port}); it != by_ip_.end()) return &it->second;
    if (auto it = by_ip_.find(IpKey{local.ip, 0}); it != by_ip_.end()) return &it->second;
  }
  if (auto it = wildcard_.find(local.port); it != wildcard_.end()) return &it->second;
  if (auto it = wildcard_.find(0); it != wildcard_.end()) return &it->second;
  return nullptr;
}

void VhostSelector::index(Chain& chain) const {
  for (std::size_t pos = 0; pos < chain.vhosts.size(); ++pos) {
    const Names& n = names_[static_cast<std::size_t>(chain.vhosts[pos])];
    chain.exact.emplace(n.name, pos); // emplace keeps the first position
    for (const std::string& a : n.exact) chain.exact.emplace(a, pos);
    if (!n.wild.empty()) chain.wild.push_back(pos);
  }
}

int VhostSelector::select(const Chain* chain, std::string_view host) const {
  if (!chain || chain->vhosts.empty()) return kMainServer;
  if (host.empty() || chain->vhosts.size() == 1) return chain->vhosts.front();
  // Apache tries each vhost in order (name, aliases, wildcard aliases): an earlier vhost's wildcard
  // beats a later vhost's exact name.
  const auto it = chain->exact.find(host);
  const std::size_t exact = it == chain->exact.end() ? chain->vhosts.size() : it->second;
  for (std::size_t pos : chain->wild) {
    if (pos >= exact) break;
    for (const std::string& w : names_[static_cast<std::size_t>(chain->vhosts[pos])].wild)
      if (wildcard_match(w, host)) return chain->vhosts[pos];
  }
  return exact < chain->vhosts.size() ? chain->vhosts[exact] : chain->vhosts.front();
}

} // namespace balancerd::runtime
