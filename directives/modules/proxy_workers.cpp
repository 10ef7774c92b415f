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

// apr_uri_unparse(..., APR_URI_UNP_REVEALPASSWORD).
std::string unparse(const ParsedUri& u) {
  std::string ret;
  if (u.user || u.password) {
    ret = u.user.value_or("");
    if (u.password) ret += ":" + *u.password;
    ret += "@";
  }
  if (u.hostname) {
    const bool v6 = u.hostname->find(':') != std::string::npos;
    const bool default_port =
        !u.port_str || u.port == 0 || u.port == apr_port_of_scheme(u.scheme.value_or(""));
    ret = "//" + ret + (v6 ? "[" : "") + *u.hostname + (v6 ? "]" : "") +
          (default_port ? std::string() : ":" + *u.port_str);
  }
  if (u.scheme) ret = *u.scheme + ":" + ret;
  ret += u.path.value_or("");
  if (u.query) ret += "?" + *u.query;
  if (u.fragment) ret += "#" + *u.fragment;
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
  std::string ptr(url);
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
        ptr = std::string(url.substr(bar + 1));
      }
    }
  }

  bool address_not_reusable = false;
  std::string pdollars;
  if (mask & kMatch) {
    // $n in host[:port]: keep the host, move the port's $n into the path so the URL parses.
    auto pos = ptr.find("://");
    if (pos != std::string::npos) {
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
          pdollars = ptr.substr(pos, path - pos);
          ptr = ptr.substr(0, pos) + ptr.substr(path);
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
    uri->hostname = ascii_lower(*uri->hostname);
  }
  uri->scheme = ascii_lower(*uri->scheme);
  const std::uint16_t scheme_port = proxy_port_of_scheme(*uri->scheme);
  if (uri->port && uri->port == scheme_port) uri->port = 0;
  if (!pdollars.empty()) uri->path = pdollars + uri->path.value_or("");

  out = Worker{};
  out.name = unparse(*uri);
  out.scheme = *uri->scheme;
  out.hostname = *uri->hostname;
  if (out.hostname.size() >= 256) return "worker hostname (" + out.hostname + ") too long";
  out.port = uri->port ? uri->port : scheme_port;
  if (has_sockpath) {
    if (sockpath.size() >= 96) return "worker uds path (" + sockpath + ") too long";
    out.uds_path = sockpath;
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
  const auto url = de_socketfy(url_in);
  if (!url) return nullptr;
  const auto c = url->find(':');
  if (c == std::string::npos || c + 3 >= url->size() || (*url)[c + 1] != '/' || (*url)[c + 2] != '/')
    return nullptr;
  const std::string url_copy = lower_site_part(*url);
  const auto path = url->find('/', c + 3);
  const std::size_t min_match = path == std::string::npos ? url->size() : path;
  if (!(mask & (kPrefix | kMatch))) mask |= kPrefix | kMatch;

  std::vector<Worker>& list = balancer ? balancer->members : conf.workers;
  Worker* best = nullptr;
  std::size_t max_match = 0;
  for (Worker& w : list) {
    const std::size_t len = w.name.size();
    if (len > url->size() || len < min_match || len <= max_match) continue;
    // Only a matchable worker's name is a pattern; the others compare by prefix.
    const bool found = w.is_name_matchable
                           ? (mask & kMatch) && strcmp_ematch(url_copy.c_str(), w.name.c_str()) == 0
                           : (mask & kPrefix) && std::strncmp(url_copy.c_str(), w.name.c_str(), len) == 0;
    if (found) {
      best = &w;
      max_match = len;
    }
  }
  return best;
}

Balancer* find_balancer(ProxyServerConf& conf, std::string_view url) {
  const auto key = balancer_key(url);
  if (!key) return nullptr;
  for (Balancer& b : conf.balancers)
    if (b.name == *key) return &b;
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
  Balancer b;
  b.name = *key;
  conf.balancers.push_back(std::move(b));
  out = &conf.balancers.back();
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
