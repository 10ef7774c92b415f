#include "server/proxypass/pass_match.hpp"

#include "directives/ci_string.hpp"
#include "parser/hex_digit.hpp"
#include "server/proxypass/alias_match.hpp"
#include "server/proxypass/canon.hpp"
#include "server/proxypass/regex_cache.hpp"
#include "server/proxypass/string_pool.hpp"
#include "server/proxypass/worker_lookup.hpp"

#include <vector>

namespace balancerd::proxypass {

namespace {

using Groups = std::vector<std::pair<std::size_t, std::size_t>>;

// ap_pregsub: "$n" (a digit) becomes capture n of `subject` (nothing when unset); "\c" is c.
std::string substitute(std::string_view pattern, std::string_view subject, const Groups& groups) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '$' && i + 1 < pattern.size() && pattern[i + 1] >= '0' && pattern[i + 1] <= '9') {
      const std::size_t n = static_cast<std::size_t>(pattern[++i] - '0');
      if (n < groups.size() && groups[n].first != std::string_view::npos)
        out.append(subject.substr(groups[n].first, groups[n].second));
      continue;
    }
    if (c == '\\' && i + 1 < pattern.size()) {
      out += pattern[++i];
      continue;
    }
    out += c;
  }
  return out;
}

bool is_unreserved(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Fills the target of a mapped URL: canonical form, balancer or worker, Unix socket.
void finish(const directives::ProxyServerConf& server, std::string_view url, PathMode mode,
            const RequestUri& req, PassMatch& m) {
  // Both strings are built in buffers from the thread's pool (given back by ~PassMatch and by the
  // proxy request that ends up owning the URL): two mallocs and frees less per proxied request.
  if (m.target.url.capacity() <= 15) m.target.url = take_pooled_string();
  if (const int status = canonicalise_into(m.target.url, url, mode, req.query, req.keep_encoded_slashes)) {
    m.result = PassResult::Error;
    m.status = status;
    return;
  }
  m.result = PassResult::Proxy;
  if (m.filename.capacity() <= 15) m.filename = take_pooled_string();
  m.filename.assign("proxy:");
  m.filename.append(m.target.url);
  // (canonicalise lower-cases a "balancer:" scheme whatever its case.)
  if (m.target.url.starts_with("balancer:")) {
    std::string_view name = m.target.url;
    const auto slash = name.find('/', name.find("://") + 3);
    // canonicalise wrote the scheme and the balancer's name in lower case already.
    m.target.balancer.assign(name.substr(0, slash));
  } else {
    m.target.worker = find_worker(server, m.target.url);
    if (m.target.worker) m.target.uds_path = m.target.worker->uds_path;
  }
}

// mapping=servlet includes mapping=encoded (Apache's flag bits overlap): such a rule matches in the
// pre-translate pass on the encoded path and its path is not re-encoded.
bool is_encoded(const directives::ProxyPassRule& rule) {
  return rule.flags.map_encoded || rule.flags.map_servlet;
}

// One rule against the request (ap_proxy_trans_match), written into `m` (a fresh PassMatch, the
// caller's return value: no PassMatch is moved on the way out): false, `m` untouched, when it does
// not apply.
bool match_rule(const directives::ProxyServerConf& server, const directives::ProxyDirConf* dir,
                const directives::ProxyPassRule& rule, const RequestUri& req, const EnvLookup& env,
                PassMatch& m) {
  const bool interpolated = dir && dir->interpolate_env.value_or(false) && rule.flags.interpolate;
  // The model keeps "!" as the URL of an exclusion; Apache compares the (interpolated) URL to "!".
  std::string fake_buf, real_buf;
  std::string_view fake = rule.path, real = rule.url;
  if (interpolated) {
    fake_buf = interpolate(rule.path, env);
    real_buf = interpolate(rule.url, env);
    fake = fake_buf;
    real = real_buf;
  }
  bool nocanon = rule.flags.nocanon;
  bool mismatch = false;
  // The mapped URL before canonicalisation, in a per-thread buffer whose capacity stays warm (one
  // allocation less per proxied request): finish() copies what it keeps.
  thread_local std::string found;
  found.clear();
  std::string servlet_uri;

  if (rule.regex) {
    // The pattern is the configured one: interpolation never applies to it.
    const directives::Regex* re = cached_regex(rule.path);
    if (!re) return false;
    Groups groups;
    if (!re->search(req.uri, &groups)) return false;
    if (real == "!") {
      m.result = PassResult::Excluded;
      return true;
    }
    std::string_view use_uri = nocanon ? req.raw_target : req.uri;
    if (nocanon) {
      Groups raw_groups;
      if (re->search(req.raw_target, &raw_groups)) {
        groups = std::move(raw_groups);
      } else {
        mismatch = true;
        use_uri = req.uri;
      }
    }
    found = substitute(real, use_uri, groups);
    // No "$n" in the URL: the whole path is appended (ProxyPassMatch \.gif$ http://b sends the path).
    if (found == real) {
      found = real;
      found.append(use_uri);
    }
  } else {
    std::size_t len = 0;
    // With nocanon the raw target (query included) is what gets appended, even for a servlet rule,
    // where Apache then drops nocanon itself but keeps that choice (and appends the query again).
    std::string_view use_uri = nocanon ? req.raw_target : req.uri;
    if (rule.flags.map_servlet) {
      len = alias_match_servlet(req.uri, fake, servlet_uri);
      nocanon = false;
    } else {
      len = alias_match(req.uri, fake);
    }
    if (len == 0) return false;
    if (real == "!") {
      m.result = PassResult::Excluded;
      return true;
    }
    if (nocanon && len != alias_match(req.raw_target, fake)) {
      mismatch = true;
      use_uri = req.uri;
    }
    found = real;
    // (A servlet match measures `len` on r->uri; the raw target it may be applied to is no shorter
    // in Apache's flow, but a caller's inputs are not trusted to keep that promise.)
    if (len < use_uri.size()) found.append(use_uri.substr(len));
  }

  m.nocanon_ignored = mismatch;
  m.servlet_uri = std::move(servlet_uri);
  m.target.rule = &rule;
  const PathMode mode = (nocanon && !mismatch) ? PathMode::NoCanon
                        : is_encoded(rule)     ? PathMode::NoEncode
                                               : PathMode::Encode;
  finish(server, found, mode, req, m);
  return true;
}

bool wants_phase(const directives::ProxyPassRule& rule, bool pre_translate) {
  return is_encoded(rule) == pre_translate;
}

} // namespace

std::optional<std::string> pre_translate_path(std::string_view raw, bool merge_slashes) {
  std::string decoded;
  decoded.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size()) {
      const int hi = parser::hex_digit_value(raw[i + 1]), lo = parser::hex_digit_value(raw[i + 2]);
      if (hi >= 0 && lo >= 0 && is_unreserved(static_cast<unsigned char>(hi * 16 + lo))) {
        decoded += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    decoded += raw[i];
  }
  return remove_dot_segments(decoded, merge_slashes);
}

std::optional<std::string> remove_dot_segments(std::string_view decoded, bool merge_slashes) {
  if (decoded.empty() || decoded[0] != '/') return std::string(decoded);

  std::vector<std::string_view> stack;
  bool trailing = false;
  std::string_view rest = decoded.substr(1);
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    trailing = false;
    if (seg.empty()) {
      if (last)
        trailing = true;
      else if (!merge_slashes)
        stack.push_back(seg);
    } else if (seg == ".") {
      trailing = last;
    } else if (seg == "..") {
      if (stack.empty()) return std::nullopt;
      stack.pop_back();
      trailing = last;
    } else {
      stack.push_back(seg);
    }
    if (last) break;
    rest.remove_prefix(slash + 1);
  }
  std::string out;
  for (const auto seg : stack) {
    out += '/';
    out.append(seg);
  }
  if (trailing || out.empty()) out += '/';
  return out;
}

bool needs_pre_translate(const directives::ProxyServerConf& server, const directives::ProxyDirConf* dir) {
  if (dir && dir->pass && is_encoded(*dir->pass)) return true;
  for (const auto& rule : server.rules)
    if (is_encoded(rule)) return true;
  return false;
}

PassMatch match_proxy_pass(const directives::ProxyServerConf& server, const directives::ProxyDirConf* dir,
                           const RequestUri& req, const EnvLookup& env, bool pre_translate) {
  PassMatch m;
  if (req.raw_target == "*" || req.uri.empty() || req.uri[0] != '/' || req.no_proxy_env) return m;
  const bool ws_declined = req.no_upgrade && dir && dir->ws_fallback_to_http == false;
  auto declined = [ws_declined](const directives::ProxyPassRule& rule) {
    return ws_declined &&
           (directives::ci_starts_with(rule.url, "ws:") || directives::ci_starts_with(rule.url, "wss:"));
  };
  if (dir && dir->pass && wants_phase(*dir->pass, pre_translate) && !declined(*dir->pass))
    if (match_rule(server, dir, *dir->pass, req, env, m)) return m;
  for (const auto& rule : server.rules) {
    if (!wants_phase(rule, pre_translate) || declined(rule)) continue;
    if (match_rule(server, dir, rule, req, env, m)) return m;
  }
  return m;
}

PassMatch::~PassMatch() {
  give_back_pooled_string(target.url);
  give_back_pooled_string(filename);
}

std::optional<PassMatch> match_handler(const directives::ProxyServerConf& server, std::string_view handler,
                                       std::string_view filename, const RequestUri& req) {
  if (handler.substr(0, 6) != "proxy:") return std::nullopt;
  std::string url = std::string(handler.substr(6)) + std::string(filename);
  std::string uds;
  PassMatch m;
  if (directives::ci_starts_with(url, "unix:")) {
    const auto bar = url.find('|', 5);
    if (bar != std::string::npos) {
      // "unix:/path|scheme://host/..." (fix_uds_filename): the socket is a path without host.
      std::string_view sock = std::string_view(url).substr(5, bar - 5);
      if (sock.substr(0, 2) == "//") {
        const auto path = sock.find('/', 2);
        if (path != 2)
          sock = path == std::string_view::npos ? std::string_view() : sock.substr(path);
        else
          sock.remove_prefix(2);
      }
      const std::string origin = url.substr(bar + 1);
      if (sock.empty() || origin.find(':') == std::string::npos) {
        m.result = PassResult::Error; // AH10292: Invalid proxy UDS filename
        m.status = 500;
        return m;
      }
      uds = std::string(sock.substr(0, sock.find_first_of("?#")));
      url = origin;
    }
  }
  finish(server, url, PathMode::Encode, req, m);
  if (m.result == PassResult::Proxy && m.target.uds_path.empty()) m.target.uds_path = uds;
  return m;
}

PassMatch forward_target(const directives::ProxyServerConf& server, std::string_view absolute_uri) {
  PassMatch m;
  const auto colon = absolute_uri.find(':');
  const std::string scheme =
      directives::ascii_lower(absolute_uri.substr(0, colon == std::string_view::npos ? 0 : colon));
  if (scheme != "http" && scheme != "https" && scheme != "ws" && scheme != "wss") {
    m.result = PassResult::Error; // AH01144: No protocol handler was valid for the URL
    m.status = 500;
    return m;
  }
  RequestUri req;
  finish(server, absolute_uri, PathMode::Forward, req, m);
  m.target.forward = true;
  return m;
}

int check_client_uds(std::string_view target, bool proxy_requests) {
  if (!directives::ci_starts_with(target, "unix:")) return 0;
  return proxy_requests ? 500 : 400;
}

} // namespace balancerd::proxypass
