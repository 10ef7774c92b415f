#include "server/proxypass/backend_url.hpp"

#include "directives/ci_string.hpp"
#include "directives/modules/proxy_url.hpp"

namespace balancerd::proxypass {

namespace dp = directives::proxy;

std::uint16_t default_port(std::string_view scheme) {
  return dp::proxy_port_of_scheme(scheme);
}

std::string BackendUrl::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port_given && port != 80) out += ":" + std::to_string(port);
  return out;
}

std::string balancer_member_url(std::string_view member_name, std::string_view balancer_url) {
  std::string out(member_name);
  const auto sep = balancer_url.find("://");
  if (sep == std::string_view::npos) return out;
  const auto path = balancer_url.find('/', sep + 3);
  if (path != std::string_view::npos) out.append(balancer_url.substr(path));
  return out;
}

std::string backend_request_uri(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::string(url);
  const auto path = url.find_first_of("/?", sep + 3);
  if (path == std::string_view::npos) return "/";
  if (url[path] == '?') return "/" + std::string(url.substr(path));
  return std::string(url.substr(path));
}

std::optional<BackendUrl> parse_backend_url(std::string_view url) {
  BackendUrl out;
  if (directives::ci_starts_with(url, "unix:")) {
    const auto bar = url.find('|');
    if (bar == std::string_view::npos) return std::nullopt;
    const auto sock = dp::parse_uri(url.substr(0, bar));
    if (!sock || !sock->path) return std::nullopt;
    out.uds_path = *sock->path;
    url.remove_prefix(bar + 1);
  }
  const auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  const auto uri = dp::parse_uri(url);
  if (!uri || !uri->scheme) return std::nullopt;
  if (uri->port_str && !uri->port_str->empty()) {
    for (char c : *uri->port_str)
      if (c < '0' || c > '9') return std::nullopt;
    if (uri->port_str->size() > 5 || std::stoul(*uri->port_str) > 65535) return std::nullopt;
  }
  out.scheme = directives::ascii_lower(*uri->scheme);
  out.host = uri->hostname.value_or("");
  if (out.host.empty() && !out.uds_path.empty()) out.host = "localhost";
  out.port_given = uri->port_str && !uri->port_str->empty();
  out.port = out.port_given ? uri->port : default_port(out.scheme);
  out.request_uri = backend_request_uri(url);
  // A fragment is never sent.
  if (const auto hash = out.request_uri.find('#'); hash != std::string::npos) out.request_uri.resize(hash);
  return out;
}

} // namespace balancerd::proxypass
