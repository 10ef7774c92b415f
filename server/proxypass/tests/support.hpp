#pragma once
// Test helpers: a configuration compiled from Apache config text by the directives library (so the
// rules are exactly what the runtime gets), and the request URI as apache2's core hands it to
// mod_proxy (r->unparsed_uri, r->uri, r->args).
#include "directives/ci_string.hpp"
#include "directives/tests/proxy_test_support.hpp"
#include "server/proxypass/pass_match.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

namespace balancerd::proxypass::test {

using directives::proxy_test::compile_text;
using directives::proxy_test::Compiled;

// Compiles `text` (main server only) and fails the test on a config error.
inline Compiled compile_ok(const std::string& text) {
  Compiled c = compile_text(text);
  EXPECT_EQ(c.error, "") << text;
  return c;
}

// The per-directory proxy settings of the first <Location>/<LocationMatch> section whose pattern is
// `pattern`, merged over the server-level ones the way Apache merges a section (enough for tests:
// pass replaced, lists appended, interpolate_env overridden).
inline directives::ProxyDirConf location_dir(const Compiled& c, const std::string& pattern) {
  directives::ProxyDirConf out = *c.config->main.dir.proxy;
  for (const auto& s : c.config->main.sections) {
    if (s.pattern != pattern) continue;
    const auto& p = *s.conf.proxy;
    if (p.pass) out.pass = p.pass;
    out.reverse.insert(out.reverse.end(), p.reverse.begin(), p.reverse.end());
    out.cookie_paths.insert(out.cookie_paths.end(), p.cookie_paths.begin(), p.cookie_paths.end());
    out.cookie_domains.insert(out.cookie_domains.end(), p.cookie_domains.begin(), p.cookie_domains.end());
    if (p.interpolate_env) out.interpolate_env = p.interpolate_env;
    return out;
  }
  ADD_FAILURE() << "no section " << pattern;
  return out;
}

inline int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// What the core makes of a request-target (AllowEncodedSlashes Off): path normalised as in the
// pre-translate pass, then fully decoded. Owns the strings a RequestUri points into.
struct Request {
  std::string raw, uri;
  std::optional<std::string> query;
  RequestUri view() const {
    RequestUri r;
    r.raw_target = raw;
    r.uri = uri;
    if (query) r.query = *query;
    return r;
  }
};

inline Request make_request(const std::string& target) {
  Request r;
  r.raw = target;
  const auto q = target.find('?');
  const std::string path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  const std::string norm = pre_translate_path(path).value_or(path);
  for (std::size_t i = 0; i < norm.size(); ++i) {
    if (norm[i] == '%' && i + 2 < norm.size() && hexval(norm[i + 1]) >= 0 && hexval(norm[i + 2]) >= 0) {
      r.uri += static_cast<char>(hexval(norm[i + 1]) * 16 + hexval(norm[i + 2]));
      i += 2;
    } else {
      r.uri += norm[i];
    }
  }
  return r;
}

// An environment for `interpolate` (names compared case-insensitively, as Apache's table does).
inline EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    for (const auto& [k, v] : vars)
      if (directives::ci_equal(k, name)) return v;
    return std::nullopt;
  };
}

} // namespace balancerd::proxypass::test
