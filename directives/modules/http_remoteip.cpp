// mod_remoteip: RemoteIPHeader, RemoteIPProxiesHeader, trusted/internal proxies (inline or from a
// file; host names are resolved now, as Apache does), and the PROXY protocol settings.
#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace balancerd::directives::http {
namespace {

// One proxy entry: an address/network, or a host name whose addresses are each added.
Result add_proxy(const std::string& entry, std::vector<IpSubnet>& out, std::string& apr_error) {
  auto r = parse_ip_subnet(entry);
  if (r.subnet) {
    out.push_back(*r.subnet);
    return std::nullopt;
  }
  if (r.error != IpSubnetError::NotAnAddress || entry.find('/') != std::string::npos) {
    apr_error = std::string(ip_subnet_error_text(r.error));
    return apr_error;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(entry.c_str(), nullptr, &hints, &res); rc != 0) {
    apr_error = ::gai_strerror(rc);
    return apr_error;
  }
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    char host[NI_MAXHOST];
    if (::getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, nullptr, 0, NI_NUMERICHOST) == 0) {
      if (auto sub = parse_ip_subnet(host).subnet) out.push_back(*sub);
    }
  }
  ::freeaddrinfo(res);
  return std::nullopt;
}

std::vector<IpSubnet>& proxies_of(CmdParms& cmd) {
  return cmd.def.name.starts_with("RemoteIPTrusted") ? cmd.server.env.trusted_proxies
                                                     : cmd.server.env.internal_proxies;
}

Result proxy_entry(CmdParms& cmd, std::span<const std::string> a) {
  for (const std::string& entry : a) {
    std::string why;
    if (add_proxy(entry, proxies_of(cmd), why))
      return "RemoteIP: Error parsing IP " + entry + " (" + why + " error) for " + std::string(cmd.def.name);
  }
  return std::nullopt;
}

Result proxy_list(CmdParms& cmd, std::span<const std::string> a) {
  const std::string path = server_root_relative(cmd, a[0]);
  std::ifstream in(path);
  if (!in) return std::string(cmd.def.name) + ": Could not open file " + path + ": " + std::strerror(errno);
  std::string line;
  unsigned n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    for (const std::string& entry : words_of(line)) {
      std::string why;
      if (add_proxy(entry, proxies_of(cmd), why))
        return "RemoteIP: Error parsing IP " + entry + " (" + why + " error) for " +
               std::string(cmd.def.name) + " at line " + std::to_string(n) + " of " + path;
    }
  }
  return std::nullopt;
}

Result header(CmdParms& cmd, std::span<const std::string> a) {
  (cmd.def.name == "RemoteIPHeader" ? cmd.server.env.remoteip_header
                                    : cmd.server.env.remoteip_proxies_header) = a[0];
  return std::nullopt;
}

Result proxy_protocol(CmdParms& cmd, std::span<const std::string> a) {
  cmd.server.env.proxy_protocol = !a.empty() && ci_equal(a[0], "on");
  return std::nullopt;
}

Result proxy_protocol_exceptions(CmdParms& cmd, std::span<const std::string> a) {
  if (a.empty()) return "RemoteIPProxyProtocolExceptions requires an argument";
  for (const std::string& w : a) {
    auto r = parse_ip_subnet(w);
    if (!r.subnet) {
      // The message names the address part only.
      std::string msg = "ip address '" + w.substr(0, w.find('/')) + "' appears to be invalid";
      if (r.error != IpSubnetError::NotAnAddress) msg += ": " + std::string(ip_subnet_error_text(r.error));
      return msg;
    }
    cmd.server.env.proxy_protocol_exceptions.push_back(*r.subnet);
  }
  return std::nullopt;
}

constexpr HandlerBinding kRemoteIp[] = {
    {"RemoteIPHeader", Support::Implemented, header},
    {"RemoteIPProxiesHeader", Support::Implemented, header},
    {"RemoteIPTrustedProxy", Support::Implemented, proxy_entry},
    {"RemoteIPInternalProxy", Support::Implemented, proxy_entry},
    {"RemoteIPTrustedProxyList", Support::Implemented, proxy_list},
    {"RemoteIPInternalProxyList", Support::Implemented, proxy_list},
    {"RemoteIPProxyProtocol", Support::Unsupported, proxy_protocol},
    {"RemoteIPProxyProtocolExceptions", Support::Unsupported, proxy_protocol_exceptions},
};

} // namespace

std::span<const HandlerBinding> remoteip_bindings() {
  return kRemoteIp;
}

} // namespace balancerd::directives::http
