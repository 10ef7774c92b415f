#include "directives/modules/proxy_workers.hpp"

#include "directives/ci_string.hpp"
#include "directives/modules/proxy_url.hpp"

#include <cctype>
#include <cstring>

namespace balancerd::directives::proxy {

namespace {

bool is_ref(std::string_view s, std::size_t i) {
  return i + 1 < s.size() && s[i] == '$' && std::isdigit(static_cast<unsigned char>(s[i + 1]));
}

// apr_uri_unparse(..., APR_URI_UNP_REVEALPASSWORD), appended into one reserved string (this runs
// for every worker of a config: no temporaries).
std::string unparse(const ParsedUri& u) {
  std::string ret;
  ret.reserve((u.scheme ? u.scheme->size() : 0) + (u.hostinfo ? u.hostinfo->size() : 0) +
              (u.path ? u.path->size() : 0) + (u.query ? u.query->size() + 1 : 0) +
              (u.fragment ? u.fragment->size() + 1 : 0) + 8);
  if (u.scheme) {
    ret += *u.scheme;
    ret += ':';
  }
  if (u.hostname) ret += "//";
  if (u.user || u.password) {
    if (u.user) ret += *u.user;
    if (u.password) {
      ret += ':';
      ret += *u.password;
    }
    ret += '@';
  }
  if (u.hostname) {
    const bool v6 = u.hostname->find(':') != std::string::npos;
    const bool default_port =
        !u.port_str || u.port == 0 || u.port == apr_port_of_scheme(u.scheme.value_or(""));
    if (v6) ret += '[';
    ret += *u.hostname;
    if (v6) ret += ']';
    if (!default_port) {
      ret += ':';
      ret += *u.port_str;
    }
  }
  if (u.path) ret += *u.path;
  if (u.query) {
    ret += '?';
    ret += *u.query;
  }
  if (u.fragment) {
    ret += '#';
    ret += *u.fragment;
  }
  return ret;
}

// ap_proxy_strcmp_ematch: 0 match, 1 no match, -1 abort, -2 invalid.
int strcmp_ematch(const char* str, const char* expected) {
  std::size_t x = 0, y = 0;
  for (; expected[y]; ++y, ++x) {
    if (expected[y] == '$' && std::isdigit(static_cast<unsigned char>(expected[y + 1]))) {
      do {
        y += 2;
      } while (expected[y] == '$' && std::isdigit(static_cast<unsigned char>(expected[y + 1])));
      if (!expected[y]) return 0;
      while (str[x]) {
        const int ret = strcmp_ematch(&str[x++], &expected[y]);
        if (ret != 1) return ret;
      }
      return -1;
    } else if (!str[x]) {
      return -1;
    } else if (expected[y] == '\\' && !expected[++y]) {
      return -2;
    }
    if (str[x] != expected[y]) return 1;
  }
  return 0;
}

} // namespace

std::optional<std::string> make_worker(std::string_view url, unsigned mask, bool in_balancer, Worker& out) {
  // The URL to parse: `url` itself unless a "unix:...|" prefix or a $n port is taken out of it (a
  // copy only then: this runs for every worker of a config).
  std::string_view ptr = url;
  std::string rewritten;
  std::string sockpath;
  bool has_sockpath = false;
  if (ci_starts_with(url, "unix:")) {
    const auto bar = url.find('|', 5);
    if (bar != std::string_view::npos) {
      if (auto uds = parse_uri(url.substr(0, bar))) {
        if (uds->path) {
          sockpath = *uds->path;
          has_sockpath = true;
        }
        ptr = url.substr(bar + 1);
      }
    }
  }

  bool address_not_reusable = false;
  std::string pdollars;
  if (mask & kMatch) {
    // $n in host[:port]: keep the host, move the port's $n into the path so the URL parses.
    auto pos = ptr.find("://");
    if (pos != std::string_view::npos) {
      pos += 3;
      while (pos < ptr.size() && ptr[pos] != ':' && ptr[pos] != '/') {
        if (ptr[pos] == '$') address_not_reusable = true;
        ++pos;
      }
      if (pos < ptr.size() && ptr[pos] == ':') {
        ++pos;
        while (pos < ptr.size() && !is_ref(ptr, pos) && ptr[pos] != '/') ++pos;
        if (is_ref(ptr, pos)) {
          std::size_t path = pos + 2;
          while (path < ptr.size() && ptr[path] != '/') ++path;
          pdollars = std::string(ptr.substr(pos, path - pos));
          rewritten = std::string(ptr.substr(0, pos));
          rewritten += ptr.substr(path);
          ptr = rewritten;
          address_not_reusable = true;
        }
      }
    }
  }

  auto uri = parse_uri(ptr);
  if (!uri) return "Unable to parse URL: " + std::string(url);
  if (!uri->scheme) return "URL must be absolute!: " + std::string(url);
  if (!uri->hostname || uri->hostname->empty()) {
    if (!has_sockpath) return "URL must be absolute!: " + std::string(url);
    uri->hostname = "localhost";
  } else {
    for (char& c : *uri->hostname) c = ascii_lower(c);
  }
  for (char& c : *uri->scheme) c = ascii_lower(c);
  const std::uint16_t scheme_port = proxy_port_of_scheme(*uri->scheme);
  if (uri->port && uri->port == scheme_port) uri->port = 0;
  if (!pdollars.empty()) uri->path = pdollars + uri->path.value_or("");

  // `out` is a fresh Worker (see the header): only what differs from its defaults is written.
  out.name = unparse(*uri);
  out.scheme = std::move(*uri->scheme);
  out.hostname = std::move(*uri->hostname);
  if (out.hostname.size() >= 256) return "worker hostname (" + out.hostname + ") too long";
  out.port = uri->port ? uri->port : scheme_port;
  if (has_sockpath) {
    if (sockpath.size() >= 96) return "worker uds path (" + sockpath + ") too long";
    out.uds_path = std::move(sockpath);
  }
  WorkerParams& p = out.params;
  p.address_ttl = address_not_reusable ? 0 : -1;
  p.is_address_reusable = !address_not_reusable;
  p.disablereuse = address_not_reusable;
  if (mask & kMatch) {
    out.is_name_matchable = true;
    // Substitutions in the path make connection reuse opt-in (enablereuse=on).
    if (out.name.find('$') != std::string::npos) p.disablereuse = true;
  }
  if (!in_balancer) p.status |= kWorkerIgnoreErrors;
  return std::nullopt;
}

std::optional<std::string> worker_name_alert(const Worker& w) {
  constexpr std::size_t kNameExSize = 384; // PROXY_WORKER_EXT_NAME_SIZE
  if (w.name.size() < kNameExSize) return std::nullopt;
  return "AH10366: Alert! worker name (" + w.name +
         ") too long; truncated to: " + w.name.substr(0, kNameExSize - 1);
}

Worker* find_worker(ProxyServerConf& conf, Balancer* balancer, std::string_view url_in, unsigned mask) {
  std::vector<Worker>& list = balancer ? balancer->members : conf.workers;
  if (list.empty()) return nullptr; // a balancer's first member, a server's first worker
  // The URL as written unless it has a "unix:...|" prefix (no copy otherwise: BalancerMember and
  // ProxyPass look up every URL they define).
  std::optional<std::string> socketless;
  std::string_view url = url_in;
  if (ci_starts_with(url_in, "unix:")) {
    socketless = de_socketfy(url_in);
    if (!socketless) return nullptr;
    url = *socketless;
  }
  const auto c = url.find(':');
  if (c == std::string_view::npos || c + 3 >= url.size() || url[c + 1] != '/' || url[c + 2] != '/')
    return nullptr;
  const auto path = url.find('/', c + 3);
  const std::size_t min_match = path == std::string_view::npos ? url.size() : path;
  // Apache lower-cases the URL up to its path before comparing (lower_site_part); done in the
  // comparison for prefixes, and in a copy only for a $n pattern, which wants a C string.
  const std::size_t site_end = min_match;
  std::string url_copy;
  if (!(mask & (kPrefix | kMatch))) mask |= kPrefix | kMatch;

  Worker* best = nullptr;
  std::size_t max_match = 0;
  for (Worker& w : list) {
    const std::size_t len = w.name.size();
    if (len > url.size() || len < min_match || len <= max_match) continue;
    bool found = false;
    if (w.is_name_matchable) {
      if (!(mask & kMatch)) continue;
      if (url_copy.empty()) url_copy = lower_site_part(url);
      found = strcmp_ematch(url_copy.c_str(), w.name.c_str()) == 0;
    } else {
      if (!(mask & kPrefix)) continue;
      // strncmp over `len` bytes of the lowered URL: equal bytes, or a NUL in both ends it.
      found = true;
      for (std::size_t i = 0; i < len; ++i) {
        const char u = i < site_end ? ascii_lower(url[i]) : url[i];
        if (u != w.name[i]) {
          found = false;
          break;
        }
        if (u == '\0') break;
      }
    }
    if (found) {
      best = &w;
      max_match = len;
    }
  }
  return best;
}

Balancer* find_balancer(ProxyServerConf& conf, std::string_view url) {
  // balancer_key's shape check and lower-cased prefix, compared in place (no key string per lookup).
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || colon + 3 >= url.size() || url[colon + 1] != '/' ||
      url[colon + 2] != '/')
    return nullptr;
  std::string_view key = url;
  const auto slash = url.find('/', colon + 3);
  if (slash != std::string_view::npos) key = url.substr(0, slash);
  for (Balancer& b : conf.balancers)
    if (ci_equal(b.name, key)) return &b;
  return nullptr;
}

std::optional<std::string> update_balancer(Balancer& balancer, std::optional<std::string_view> alias) {
  if (!alias) return std::nullopt;
  const auto uri = parse_uri(*alias);
  if (!uri) return "unable to parse: " + std::string(*alias);
  if (uri->path) {
    if (uri->path->size() >= 64)
      return "balancer " + balancer.name + " front-end virtual-path (" + *uri->path + ") too long";
    balancer.vpath = *uri->path;
  }
  if (uri->hostname) {
    if (uri->hostname->size() >= 64)
      return "balancer " + balancer.name + " front-end vhost name (" + *uri->hostname + ") too long";
    balancer.vhost = *uri->hostname;
  }
  return std::nullopt;
}

std::optional<std::string> define_balancer(ProxyServerConf& conf, std::string_view url,
                                           std::optional<std::string_view> alias, Balancer*& out) {
  const auto key = balancer_key(url);
  if (!key) return "Bad syntax for a balancer name (" + std::string(url) + ")";
  if (key->size() >= 96) return "balancer name (" + *key + ") too long";
  out = &conf.balancers.emplace_back();
  out->name = std::move(*key);
  return update_balancer(*out, alias);
}

std::string worker_display_name(const Worker& w) {
  return w.uds_path.empty() ? w.name : "unix:" + w.uds_path + "|" + w.name;
}

void copy_conf_params(WorkerParams& w, const ProxyServerConf& conf) {
  w.timeout = conf.timeout.value_or(Micros(0));
  w.timeout_set = conf.timeout.has_value();
  w.recv_buffer_size = static_cast<std::size_t>(conf.recv_buffer_size.value_or(0));
  w.recv_buffer_size_set = conf.recv_buffer_size.has_value();
  w.io_buffer_size = conf.io_buffer_size.value_or(8192);
  w.io_buffer_size_set = conf.io_buffer_size.has_value();
}

} // namespace balancerd::directives::proxy
