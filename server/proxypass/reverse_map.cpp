#include "server/proxypass/reverse_map.hpp"

#include "directives/ci_string.hpp"
#include "server/proxypass/backend_url.hpp"
#include "server/proxypass/worker_lookup.hpp"

#include <vector>

namespace balancerd::proxypass {

namespace {

bool ci_prefix(std::string_view s, std::string_view prefix) {
  return directives::ci_starts_with(s, prefix);
}

// ap_is_url: a scheme ("[alnum+.-]+:") starts the string.
bool is_url(std::string_view u) {
  std::size_t i = 0;
  for (; i < u.size() && u[i] != ':'; ++i) {
    const char c = u[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return i < u.size() && i > 0;
}

std::string absolute(std::string u, const SelfUrl& self) {
  return is_url(u) ? u : construct_url(self, u);
}

// The rule list with `interpolate` entries expanded (mod_proxy's per-request copy, proxy_vars).
std::vector<directives::ReverseRule> expand(const std::vector<directives::ReverseRule>& rules,
                                            bool interpolate_env, const EnvLookup& env) {
  std::vector<directives::ReverseRule> out = rules;
  if (!interpolate_env) return out;
  for (auto& r : out) {
    if (!r.interpolate) continue;
    r.fake = interpolate(r.fake, env);
    r.real = interpolate(r.real, env);
  }
  return out;
}

bool any_interpolate(const std::vector<directives::ReverseRule>& rules) {
  for (const auto& r : rules)
    if (r.interpolate) return true;
  return false;
}

} // namespace

std::string self_host(bool canonical_on, std::string_view server_name, std::string_view request_host) {
  if (canonical_on || request_host.empty()) return std::string(server_name);
  std::string host = directives::ascii_lower(request_host);
  while (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

std::uint16_t self_port(std::string_view scheme, bool canonical_on, std::uint16_t server_name_port,
                        std::optional<std::uint16_t> request_port) {
  if (!canonical_on && request_port) return *request_port;
  if (server_name_port) return server_name_port;
  return default_port(directives::ascii_lower(scheme));
}

std::string construct_url(const SelfUrl& self, std::string_view path) {
  std::string out(self.scheme);
  out += "://";
  if (self.host.find(':') != std::string_view::npos) {
    out += '[';
    out.append(self.host);
    out += ']';
  } else {
    out.append(self.host);
  }
  if (self.port != default_port(directives::ascii_lower(self.scheme))) out += ":" + std::to_string(self.port);
  out.append(path);
  return out;
}

std::string reverse_url(const directives::ProxyServerConf& server, const directives::ProxyDirConf& dir,
                        std::string_view url, const SelfUrl& self, const EnvLookup& env) {
  const bool interp = dir.interpolate_env.value_or(false) && any_interpolate(dir.reverse);
  std::vector<directives::ReverseRule> expanded;
  if (interp) expanded = expand(dir.reverse, true, env);
  const auto& rules = interp ? expanded : dir.reverse;

  for (const auto& rule : rules) {
    const std::string& real = rule.real;
    const directives::Balancer* balancer =
        ci_prefix(real, "balancer:") ? find_balancer(server, real) : nullptr;
    if (balancer) {
      // Each member URL stands for the balancer; a path after the balancer name must follow it.
      std::string_view urlpart;
      if (const auto slash = real.find('/', std::string_view("balancer://").size());
          slash != std::string::npos && slash + 1 < real.size())
        urlpart = std::string_view(real).substr(slash);
      for (const auto& member : balancer->members) {
        std::string_view name = member.name;
        if (!urlpart.empty()) {
          if (!name.empty() && name.back() == '/') name.remove_suffix(1);
          if (url.size() >= name.size() + urlpart.size() && ci_prefix(url, name) &&
              url.substr(name.size(), urlpart.size()) == urlpart)
            return absolute(rule.fake + std::string(url.substr(name.size() + urlpart.size())), self);
        } else if (url.size() >= name.size() && ci_prefix(url, name)) {
          // A "/" front end and a rest starting with '/' make one slash, not two.
          if (rule.fake == "/" && url.size() > name.size() && url[name.size()] == '/')
            return absolute(std::string(url.substr(name.size())), self);
          return absolute(rule.fake + std::string(url.substr(name.size())), self);
        }
      }
      continue;
    }
    std::string_view part = url;
    if (!real.empty() && real[0] == '/') {
      // A path-only rule compares the path of an absolute URL.
      if (const auto sep = url.find("://"); sep != std::string_view::npos) {
        if (const auto path = url.find('/', sep + 3); path != std::string_view::npos) part = url.substr(path);
      }
    }
    if (!real.empty() && ci_prefix(part, real))
      return absolute(rule.fake + std::string(part.substr(real.size())), self);
  }
  return std::string(url);
}

std::string reverse_cookie(const directives::ProxyDirConf& dir, std::string_view str, const EnvLookup& env) {
  const bool interp = dir.interpolate_env.value_or(false);
  const auto paths = expand(dir.cookie_paths, interp, env);
  const auto domains = expand(dir.cookie_domains, interp, env);

  // Only the last path= and the last domain= attribute count (apache2 leaves a cookie unchanged
  // when an earlier path= matched a rule and a later one did not).
  std::size_t poffs = 0, plen = 0, doffs = 0, dlen = 0;
  const std::string* newpath = nullptr;
  const std::string* newdomain = nullptr;
  std::size_t pos = 0;
  while (pos <= str.size()) {
    auto end = str.find(';', pos);
    if (end == std::string_view::npos) end = str.size();
    std::size_t t = pos;
    while (t < end && (str[t] == ' ' || str[t] == '\t' || str[t] == '\r' || str[t] == '\n' ||
                       str[t] == '\v' || str[t] == '\f'))
      ++t;
    const std::string_view token = str.substr(t, end - t);
    if (ci_prefix(token, "path=")) {
      poffs = t + 5;
      plen = end - poffs;
      const std::string_view value = str.substr(poffs, plen);
      newpath = nullptr;
      for (const auto& r : paths) {
        // The rule's first word is the backend's path, the second what the client sees.
        if (value.substr(0, r.fake.size()) == r.fake) {
          newpath = &r.real;
          break;
        }
      }
    } else if (ci_prefix(token, "domain=")) {
      doffs = t + 7;
      dlen = end - doffs;
      const std::string_view value = str.substr(doffs, dlen);
      newdomain = nullptr;
      for (const auto& r : domains) {
        if (ci_prefix(value, r.fake)) {
          newdomain = &r.real;
          break;
        }
      }
    }
    if (end == str.size()) break;
    pos = end + 1;
  }
  if (!newpath && !newdomain) return std::string(str);
  std::string out;
  const auto splice = [&](std::size_t from, std::size_t offs, std::size_t len, const std::string& with) {
    out.append(str.substr(from, offs - from));
    out += with;
    return offs + len;
  };
  std::size_t from = 0;
  if (newpath && newdomain) {
    if (doffs > poffs) {
      from = splice(from, poffs, plen, *newpath);
      from = splice(from, doffs, dlen, *newdomain);
    } else {
      from = splice(from, doffs, dlen, *newdomain);
      from = splice(from, poffs, plen, *newpath);
    }
  } else if (newpath) {
    from = splice(from, poffs, plen, *newpath);
  } else {
    from = splice(from, doffs, dlen, *newdomain);
  }
  out.append(str.substr(from));
  return out;
}

} // namespace balancerd::proxypass
