#include "server/access/authz.hpp"

#include <arpa/inet.h>

#include <optional>

namespace balancerd::access {
namespace {

namespace d = directives;

std::string_view normalize_method(std::string_view m) {
  return m == "HEAD" ? std::string_view("GET") : m;
}

struct ClientIp {
  std::uint8_t bytes[16] = {};
  bool v6 = false;
  bool ok = false;
};

ClientIp parse_ip(std::string_view text) {
  ClientIp ip;
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return ip;
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  if (inet_pton(AF_INET, buf, ip.bytes) == 1) {
    ip.ok = true;
  } else if (inet_pton(AF_INET6, buf, ip.bytes) == 1) {
    ip.ok = ip.v6 = true;
  }
  return ip;
}

bool same_address(const ClientIp& a, const ClientIp& b) {
  if (!a.ok || !b.ok) return false;
  auto v4_of = [](const ClientIp& x, const std::uint8_t*& p) {
    if (!x.v6) {
      p = x.bytes;
      return true;
    }
    static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(mapped, mapped + 12, x.bytes)) {
      p = x.bytes + 12;
      return true;
    }
    return false;
  };
  const std::uint8_t *pa = nullptr, *pb = nullptr;
  if (v4_of(a, pa) && v4_of(b, pb)) return std::equal(pa, pa + 4, pb);
  return a.v6 && b.v6 && std::equal(a.bytes, a.bytes + 16, b.bytes);
}

// Per-check state: the client's parsed address and its (lazily) double-reverse-resolved name.
struct Check {
  const AccessEnv& env;
  ClientIp client;
  std::optional<std::string> host; // resolved once
  std::string_view method;

  explicit Check(const AccessEnv& e)
      : env(e), client(parse_ip(e.ctx.facts().useragent_ip)), method(normalize_method(e.ctx.facts().method)) {
  }

  const std::string& remote_host() {
    if (!host)
      host =
          env.resolver ? double_reverse_lookup(*env.resolver, env.ctx.facts().useragent_ip) : std::string();
    return *host;
  }

  bool in_subnet(const d::IpSubnet& s) const { return client.ok && s.contains(client.bytes, client.v6); }

  bool is_local() const {
    static const d::IpSubnet v4 = *d::parse_ip_subnet("127.0.0.0/8").subnet;
    static const d::IpSubnet v6 = *d::parse_ip_subnet("::1").subnet;
    return in_subnet(v4) || in_subnet(v6) || same_address(client, parse_ip(env.ctx.facts().local_ip));
  }

  AuthzStatus provider(const d::AuthzRequire& r) {
    auto grant_if = [](bool b) { return b ? AuthzStatus::Granted : AuthzStatus::Denied; };
    switch (r.provider) {
    case d::AuthzProvider::All:
      return grant_if(r.granted);
    case d::AuthzProvider::Ip:
      for (const d::IpSubnet& s : r.subnets)
        if (in_subnet(s)) return AuthzStatus::Granted;
      return AuthzStatus::Denied;
    case d::AuthzProvider::Host: {
      const std::string& name = remote_host();
      if (name.empty()) return AuthzStatus::Denied; // AH01753: unable to get the remote host name
      for (const std::string& w : r.words)
        if (host_in_domain(w, name)) return AuthzStatus::Granted;
      return AuthzStatus::Denied;
    }
    case d::AuthzProvider::ForwardDns:
      if (!env.resolver) return AuthzStatus::Denied;
      for (const std::string& w : r.words)
        for (const std::string& a : env.resolver->forward(w))
          if (same_address(client, parse_ip(a))) return AuthzStatus::Granted;
      return AuthzStatus::Denied;
    case d::AuthzProvider::Env:
      for (const std::string& w : r.words)
        if (env.ctx.env(w)) return AuthzStatus::Granted;
      return AuthzStatus::Denied;
    case d::AuthzProvider::Method:
      for (const std::string& w : r.words)
        if (normalize_method(w) == method) return AuthzStatus::Granted;
      return AuthzStatus::Denied;
    case d::AuthzProvider::Expr: {
      if (!r.expr) return AuthzStatus::GeneralError;
      expr::Evaluator& ev = env.evaluator ? *env.evaluator : expr::Evaluator::this_thread();
      const std::optional<bool> v = ev.eval_bool(*r.expr, env.ctx);
      if (!v) return AuthzStatus::GeneralError;
      return grant_if(*v);
    }
    case d::AuthzProvider::Local:
      return grant_if(is_local());
    case d::AuthzProvider::Other:
      // user/group/valid-user...: no authenticated user can exist here (no authn modules).
      return AuthzStatus::Denied;
    }
    return AuthzStatus::Denied;
  }

  // Whether the node takes part for this method. Explicit sections and lines carry their own
  // <Limit>; the synthesized sections (the per-dir implicit <RequireAny>, AuthMerging joins; they
  // have no source line) cover the union of their children, as Apache ORs the masks together.
  bool applies(const d::AuthzNode& n) const {
    if (!n.limit_methods.empty() || n.limit_except)
      return method_in_limit(n.limit_methods, n.limit_except, method);
    if (n.is_section && n.line == 0 && !n.children.empty()) {
      for (const d::AuthzNode& c : n.children)
        if (applies(c)) return true;
      return false;
    }
    return true;
  }

  AuthzStatus evaluate(const d::AuthzNode& n, d::AuthzLogic parent) {
    if (!applies(n)) return parent == d::AuthzLogic::All ? AuthzStatus::Granted : AuthzStatus::Neutral;
    AuthzStatus result = AuthzStatus::Neutral;
    bool negate = false;
    if (!n.is_section) {
      result = provider(n.require);
      negate = n.require.negated;
    } else {
      const bool all = n.logic == d::AuthzLogic::All;
      // <RequireNone> is <RequireAny> negated.
      negate = n.logic == d::AuthzLogic::None;
      const d::AuthzLogic op = all ? d::AuthzLogic::All : d::AuthzLogic::Any;
      for (const d::AuthzNode& c : n.children) {
        const AuthzStatus r = evaluate(c, op);
        if (r == AuthzStatus::GeneralError) return r;
        if (r == AuthzStatus::Neutral) continue;
        if (all) {
          if (r == AuthzStatus::Denied) {
            result = r;
            break;
          }
          if (result == AuthzStatus::Neutral) result = r;
        } else {
          if (r == AuthzStatus::Granted) {
            result = r;
            break;
          }
          if (result == AuthzStatus::Neutral) result = r;
        }
      }
    }
    if (negate) {
      if (result == AuthzStatus::Granted)
        result = AuthzStatus::Denied;
      else if (result == AuthzStatus::Denied)
        result = AuthzStatus::Neutral;
    }
    return result;
  }

  bool rule_matches(const d::AccessRule& rule) {
    if (!rule.limit_methods.empty() && !method_in_limit(rule.limit_methods, false, method)) return false;
    switch (rule.kind) {
    case d::AccessRule::Kind::All:
      return true;
    case d::AccessRule::Kind::Env:
      return env.ctx.env(rule.text).has_value();
    case d::AccessRule::Kind::EnvNot:
      return !env.ctx.env(rule.text).has_value();
    case d::AccessRule::Kind::Ip:
      return in_subnet(rule.subnet);
    case d::AccessRule::Kind::Host: {
      const std::string& name = remote_host();
      return !name.empty() && host_in_domain(rule.text, name);
    }
    }
    return false;
  }

  bool any_rule(const std::vector<d::AccessRule>& rules) {
    for (const d::AccessRule& r : rules)
      if (rule_matches(r)) return true;
    return false;
  }

  bool compat_allows(const d::AuthzDirConf& c) {
    switch (c.order) {
    case d::AccessOrder::AllowDeny:
      return any_rule(c.allow) && !any_rule(c.deny);
    case d::AccessOrder::MutualFailure:
      return any_rule(c.allow) && !any_rule(c.deny);
    case d::AccessOrder::Unset:
    case d::AccessOrder::DenyAllow:
      break;
    }
    // Deny,Allow (the default): denied by a Deny line unless an Allow line also matches.
    return !any_rule(c.deny) || any_rule(c.allow);
  }
};

} // namespace

bool method_in_limit(const std::vector<std::string>& methods, bool except, std::string_view method) {
  const std::string_view m = normalize_method(method);
  bool listed = false;
  for (const std::string& x : methods)
    if (normalize_method(x) == m) listed = true;
  return except ? !listed : listed;
}

AuthzStatus evaluate_authz(const directives::AuthzNode& node, directives::AuthzLogic parent_logic,
                           const AccessEnv& env) {
  Check c(env);
  return c.evaluate(node, parent_logic);
}

bool access_compat_allows(const directives::AuthzDirConf& conf, const AccessEnv& env) {
  Check c(env);
  return c.compat_allows(conf);
}

AccessDecision check_access(const directives::AuthzDirConf& conf, const AccessEnv& env) {
  Check c(env);
  AccessDecision d;
  const bool compat_ok = c.compat_allows(conf);
  const bool satisfy_any = conf.satisfy_any.value_or(false);
  if (satisfy_any && compat_ok) return d;
  if (!satisfy_any && !compat_ok) {
    d.result = AccessResult::Forbidden;
    d.denied_by = DeniedBy::AccessCompat;
    return d;
  }
  if (!conf.root) return d; // no Require lines: granted
  // The top of the tree is evaluated as a member of an implicit All.
  const AuthzStatus s = c.evaluate(*conf.root, directives::AuthzLogic::All);
  if (s == AuthzStatus::Granted) return d;
  d.result = s == AuthzStatus::GeneralError ? AccessResult::ServerError : AccessResult::Forbidden;
  d.denied_by = DeniedBy::AuthzCore;
  return d;
}

std::string denial_log_message(DeniedBy who, std::string_view filename, std::string_view uri) {
  std::string out = who == DeniedBy::AccessCompat ? "AH01797" : "AH01630";
  out += ": client denied by server configuration: ";
  if (filename.empty()) {
    out += "uri ";
    out += uri;
  } else {
    out += filename;
  }
  return out;
}

std::string_view denial_log_module(DeniedBy who) {
  return who == DeniedBy::AccessCompat ? "access_compat" : "authz_core";
}

} // namespace balancerd::access
