#include "server/pipeline/access_check.hpp"

#include <algorithm>

#include "server/runtime/vhost_selector.hpp"

namespace balancerd::pipeline {

namespace {

enum class Result { Granted, Denied, Neutral };

struct Ctx {
  const http::Request& req;
  runtime::IpAddress ip;
  bool have_ip = false;
};

bool method_applies(const directives::AuthzNode& n, const http::Request& req) {
  if (n.limit_methods.empty()) return true;
  bool listed = false;
  for (const auto& m : n.limit_methods)
    if (http::iequals(m, req.method_text)) listed = true;
  return n.limit_except ? !listed : listed;
}

Result eval_require(const directives::AuthzRequire& r, const Ctx& c) {
  bool granted = false;
  switch (r.provider) {
  case directives::AuthzProvider::All:
    granted = r.granted;
    if (!r.negated) return granted ? Result::Granted : Result::Denied;
    break;
  case directives::AuthzProvider::Ip:
    if (c.have_ip)
      for (const auto& s : r.subnets)
        if (s.contains(c.ip.bytes.data(), c.ip.v6)) granted = true;
    break;
  case directives::AuthzProvider::Local:
    if (c.have_ip) {
      granted =
          (!c.ip.v6 && c.ip.bytes[0] == 127) ||
          (c.ip.v6 && c.ip.bytes[15] == 1 &&
           std::all_of(c.ip.bytes.begin(), c.ip.bytes.begin() + 15, [](std::uint8_t b) { return b == 0; }));
    }
    break;
  case directives::AuthzProvider::Method:
    for (const auto& m : r.words)
      if (m == c.req.method_text) granted = true;
    break;
  default:
    return Result::Neutral;
  }
  if (r.negated) return granted ? Result::Denied : Result::Neutral;
  return granted ? Result::Granted : Result::Denied;
}

Result eval_node(const directives::AuthzNode& n, const Ctx& c) {
  if (!method_applies(n, c.req)) return Result::Neutral;
  if (!n.is_section) return eval_require(n.require, c);
  bool any_granted = false, any_denied = false;
  for (const auto& child : n.children) {
    Result r = eval_node(child, c);
    if (r == Result::Granted) any_granted = true;
    if (r == Result::Denied) any_denied = true;
    if (n.logic == directives::AuthzLogic::Any && r == Result::Granted) return Result::Granted;
    if (n.logic == directives::AuthzLogic::All && r == Result::Denied) return Result::Denied;
  }
  switch (n.logic) {
  case directives::AuthzLogic::Any:
    return any_denied ? Result::Denied : Result::Neutral;
  case directives::AuthzLogic::All:
    return any_granted ? Result::Granted : Result::Neutral;
  case directives::AuthzLogic::None:
    return any_granted ? Result::Denied : Result::Granted;
  }
  return Result::Neutral;
}

} // namespace

bool access_allowed(const directives::AuthzDirConf& authz, const http::Request& req,
                    const net::PeerInfo& peer) {
  if (!authz.root) return true; // no Require at any level: Apache grants (authz_core default)
  Ctx c{req, {}, false};
  if (auto ip = runtime::IpAddress::parse(peer.remote_ip)) {
    c.ip = *ip;
    c.have_ip = true;
  }
  return eval_node(*authz.root, c) == Result::Granted;
}

} // namespace balancerd::pipeline
