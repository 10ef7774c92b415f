#include "server/headers/request_env.hpp"

#include <arpa/inet.h>

#include <vector>

namespace balancerd::headers {
namespace {

namespace d = directives;
using Groups = std::vector<std::pair<std::size_t, std::size_t>>;
using Subject = d::SetEnvIfRule::Subject;

void assign(const d::SetEnvIfRule& rule, expr::ExprContext& ctx, std::string_view subject,
            const Groups& groups, std::string& buf) {
  for (const d::EnvAssignment& a : rule.assignments) {
    if (a.unset) {
      ctx.unset_env(a.name);
      continue;
    }
    buf.clear();
    expr::append_pregsub(buf, a.value, subject, groups);
    ctx.set_env(a.name, buf);
  }
}

struct HeaderScan {
  const d::SetEnvIfRule* rule;
  Groups* groups;
  std::string* matched;
  bool found = false;
};

struct Ip {
  unsigned char b[16] = {};
  bool v6 = false;
};

bool parse_ip(std::string_view text, Ip& ip) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return false;
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  if (inet_pton(AF_INET, buf, ip.b) == 1) {
    ip.v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buf, ip.b) == 1) {
    ip.v6 = true;
    // IPv4-mapped addresses count as IPv4.
    static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(mapped, mapped + 12, ip.b)) {
      std::copy(ip.b + 12, ip.b + 16, ip.b);
      ip.v6 = false;
    }
    return true;
  }
  return false;
}

bool in_list(const std::vector<d::IpSubnet>& list, const Ip& ip) {
  for (const d::IpSubnet& s : list)
    if (s.contains(ip.b, ip.v6)) return true;
  return false;
}

std::string text_of(const Ip& ip) {
  char out[INET6_ADDRSTRLEN];
  inet_ntop(ip.v6 ? AF_INET6 : AF_INET, ip.b, out, sizeof out);
  return out;
}

// What a trusted (non-internal) proxy may not present: RFC 3330 private/local IPv4, anything but
// global unicast 2000::/3 for IPv6.
bool is_private(const Ip& ip) {
  if (ip.v6) return (ip.b[0] & 0xe0) != 0x20;
  return ip.b[0] == 10 || ip.b[0] == 127 || (ip.b[0] == 169 && ip.b[1] == 254) ||
         (ip.b[0] == 172 && (ip.b[1] & 0xf0) == 16) || (ip.b[0] == 192 && ip.b[1] == 168);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

} // namespace

void apply_setenvif(const d::EnvDirConf& conf, expr::ExprContext& ctx, expr::Evaluator* evaluator,
                    std::size_t first) {
  thread_local Groups groups;
  thread_local std::string subject, buf;
  const expr::RequestFacts& f = ctx.facts();
  for (std::size_t i = first; i < conf.setenvif.size(); ++i) {
    const d::SetEnvIfRule& rule = conf.setenvif[i];
    if (rule.subject == Subject::Expr) {
      if (!rule.expr) continue;
      expr::Evaluator& ev = evaluator ? *evaluator : expr::Evaluator::this_thread();
      if (!ev.eval_bool(*rule.expr, ctx).value_or(false)) continue;
      // Values may name $0..$9 of the expression's last match.
      subject.clear();
      groups.clear();
      for (int i = 0; i < 10; ++i) {
        const std::string_view g = ev.backref(i);
        groups.emplace_back(subject.size(), g.size());
        subject.append(g);
      }
      assign(rule, ctx, subject, groups, buf);
      continue;
    }
    if (!rule.regex) continue;
    if (rule.subject == Subject::HeaderRegex) {
      if (!rule.name_regex) continue;
      HeaderScan scan{&rule, &groups, &subject};
      ctx.for_each_request_header(
          [](void* p, std::string_view name, std::string_view value) {
            auto* s = static_cast<HeaderScan*>(p);
            if (s->found || !s->rule->name_regex->search(name)) return;
            if (s->rule->regex->search(value, s->groups)) {
              s->found = true;
              s->matched->assign(value);
            }
          },
          &scan);
      if (scan.found) assign(rule, ctx, subject, groups, buf);
      continue;
    }
    std::optional<std::string_view> value;
    switch (rule.subject) {
    case Subject::RemoteHost:
      value = f.remote_host.empty() ? f.useragent_ip : f.remote_host;
      break;
    case Subject::RemoteAddr:
      value = f.useragent_ip;
      break;
    case Subject::ServerAddr:
      value = f.local_ip;
      break;
    case Subject::RequestMethod:
      value = f.method;
      break;
    case Subject::RequestProtocol:
      value = f.protocol;
      break;
    case Subject::RequestUri:
      value = f.uri;
      break;
    case Subject::Header:
      value = ctx.request_header(rule.name);
      if (!value) value = ctx.env(rule.name);
      break;
    case Subject::Env:
      value = ctx.env(rule.name);
      break;
    case Subject::HeaderRegex:
    case Subject::Expr:
      break;
    }
    subject.assign(value ? *value : std::string_view());
    if (rule.regex->search(subject, &groups)) assign(rule, ctx, subject, groups, buf);
  }
}

void apply_setenv(const d::EnvDirConf& conf, expr::ExprContext& ctx) {
  for (const std::string& name : conf.passenv)
    if (auto v = ctx.os_env(name)) ctx.set_env(name, *v);
  for (const d::EnvAssignment& a : conf.setenv) {
    if (a.unset)
      ctx.unset_env(a.name);
    else
      ctx.set_env(a.name, a.value);
  }
}

RemoteIpResult apply_remoteip(const d::EnvServerConf& conf, std::string_view peer_ip,
                              std::string_view header_value) {
  RemoteIpResult r;
  r.useragent_ip.assign(peer_ip);
  const bool have_lists = !conf.trusted_proxies.empty() || !conf.internal_proxies.empty();
  Ip current;
  if (!parse_ip(peer_ip, current)) return r;
  bool internal = true;
  std::string_view remaining = header_value;
  bool consumed_all = false;
  while (true) {
    if (have_lists) {
      if (in_list(conf.internal_proxies, current)) {
        // an internal proxy may present an external one, never the reverse
      } else if (in_list(conf.trusted_proxies, current)) {
        internal = false;
      } else {
        break; // not a proxy we trust: stop here
      }
    }
    std::string_view item;
    const std::size_t comma = remaining.rfind(',');
    std::string_view before;
    if (comma == std::string_view::npos) {
      item = remaining;
    } else {
      item = remaining.substr(comma + 1);
      before = remaining.substr(0, comma);
    }
    item = trim(item);
    Ip next;
    if (item.empty() || !parse_ip(item, next)) break; // AH01568 for an unparsable value
    if (!internal && is_private(next)) break;
    // The proxy we came through is recorded when it was a trusted (external) one.
    if (!internal) {
      if (!r.proxies.empty()) r.proxies.insert(0, ", ");
      r.proxies.insert(0, text_of(current));
    }
    current = next;
    r.changed = true;
    if (comma == std::string_view::npos) {
      consumed_all = true;
      remaining = {};
      break;
    }
    remaining = before;
  }
  if (r.changed) {
    r.useragent_ip = text_of(current);
    r.header_consumed = consumed_all;
    if (!consumed_all) r.header_rest.assign(remaining);
  }
  return r;
}

} // namespace balancerd::headers
