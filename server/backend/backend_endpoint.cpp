#include "server/backend/backend_endpoint.hpp"

#include <charconv>

#include "directives/model/proxy_worker.hpp"

namespace balancerd::backend {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

void append_authority(std::string& out, const BackendEndpoint& ep) {
  if (ep.host.find(':') != std::string::npos) {
    out.append("[").append(ep.host).append("]");
  } else {
    out.append(ep.host);
  }
  out.push_back(':');
  out.append(std::to_string(ep.port));
}

} // namespace

std::string BackendEndpoint::key() const {
  std::string out;
  if (is_unix()) out.append("unix:").append(uds_path).append("|");
  out.append(scheme == BackendScheme::Https ? "https://" : "http://");
  append_authority(out, *this);
  return out;
}

std::string BackendEndpoint::host_port() const {
  std::string out;
  append_authority(out, *this);
  return out;
}

std::optional<BackendEndpoint> BackendEndpoint::from_url(std::string_view url) {
  BackendEndpoint ep;
  if (url.size() >= 5 && lower(url.substr(0, 5)) == "unix:") {
    auto bar = url.find('|');
    if (bar == std::string_view::npos || bar == 5) return std::nullopt;
    ep.uds_path.assign(url.substr(5, bar - 5));
    url.remove_prefix(bar + 1);
  }
  auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  std::string scheme = lower(url.substr(0, sep));
  if (scheme == "http" || scheme == "ws") {
    ep.scheme = BackendScheme::Http;
    ep.port = 80;
  } else if (scheme == "https" || scheme == "wss") {
    ep.scheme = BackendScheme::Https;
    ep.port = 443;
  } else {
    return std::nullopt;
  }
  url.remove_prefix(sep + 3);
  std::string_view auth = url.substr(0, url.find_first_of("/?#"));
  if (auto at = auth.rfind('@'); at != std::string_view::npos) auth.remove_prefix(at + 1);
  std::string_view host = auth, port;
  if (!auth.empty() && auth.front() == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = auth.substr(1, close - 1);
    std::string_view rest = auth.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (auto colon = auth.rfind(':'); colon != std::string_view::npos) {
    host = auth.substr(0, colon);
    port = auth.substr(colon + 1);
  }
  // A unix socket URL may omit the host ("unix:/s|http:///"): Apache then uses "localhost".
  if (host.empty()) {
    if (!ep.is_unix()) return std::nullopt;
    host = "localhost";
  }
  ep.host = lower(host);
  if (!port.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535) return std::nullopt;
    ep.port = static_cast<std::uint16_t>(v);
  }
  return ep;
}

BackendEndpoint BackendEndpoint::from_worker(const directives::Worker& w) {
  BackendEndpoint ep;
  std::string scheme = lower(w.scheme);
  ep.scheme = (scheme == "https" || scheme == "wss") ? BackendScheme::Https : BackendScheme::Http;
  ep.host = w.hostname.empty() ? std::string("localhost") : lower(w.hostname);
  ep.port = w.port ? w.port : (ep.scheme == BackendScheme::Https ? 443 : 80);
  ep.uds_path = w.uds_path;
  return ep;
}

} // namespace balancerd::backend
