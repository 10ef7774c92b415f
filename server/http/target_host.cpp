#include "server/http/target_host.hpp"

namespace balancerd::http {

bool target_host_value(const Request& req, std::string& out) {
  if (!req.absolute_uri && req.method != Method::Connect) return false;
  if (req.host.empty() || !req.find("Host")) return false;
  out.clear();
  out.reserve(req.host.size() + 1 + req.port.size());
  for (char c : req.host) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  if (!req.port.empty()) out.append(":").append(req.port);
  return true;
}

} // namespace balancerd::http
