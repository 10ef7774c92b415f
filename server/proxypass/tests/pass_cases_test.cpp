// Replays data/pass_cases.txt: request targets sent to apache2 2.4.71 under a few ProxyPass configs,
// with the request-URI its backend received or the status apache2 answered (recorded by
// pass_oracle.py on loopback). The core's own steps before mod_proxy (normalising the path, the
// pre-translate pass for mapping=encoded, %-decoding with its 400/404 refusals) are reproduced here
// the way apache2 orders them; everything after them is match_proxy_pass.
#include "server/proxypass/backend_url.hpp"
#include "server/proxypass/pass_match.hpp"
#include "server/proxypass/worker_lookup.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace balancerd::proxypass {
namespace {

struct CaseSet {
  std::string config;
  std::vector<std::pair<std::string, std::string>> cases;
};

std::vector<CaseSet> load() {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "data" / "pass_cases.txt";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<CaseSet> sets;
  std::string line;
  bool in_config = false;
  while (std::getline(in, line)) {
    if (line == "#config") {
      sets.emplace_back();
      in_config = true;
    } else if (line == "#cases") {
      in_config = false;
    } else if (in_config) {
      sets.back().config += line + "\n";
    } else if (!line.empty()) {
      const auto tab = line.find('\t');
      sets.back().cases.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    }
  }
  return sets;
}

bool bad_escape(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '%' && (i + 2 >= s.size() || test::hexval(s[i + 1]) < 0 || test::hexval(s[i + 2]) < 0))
      return true;
  return false;
}

std::string result_of(const directives::ProxyServerConf& server, const PassMatch& m) {
  switch (m.result) {
  case PassResult::Proxy:
    if (!m.target.balancer.empty()) {
      // The test configs give each balancer one member, so the member is known.
      const auto* balancer = find_balancer(server, m.target.balancer);
      if (!balancer || balancer->members.size() != 1) return "<balancer?>";
      return backend_request_uri(balancer_member_url(balancer->members[0].name, m.target.url));
    }
    return backend_request_uri(m.target.url);
  case PassResult::Error:
    return "!" + std::to_string(m.status);
  default:
    return "!404"; // served locally: nothing in the empty DocumentRoot
  }
}

enum class EncodedSlashes { Off, On, NoDecode };

// What apache2 does with `target` up to and including mod_proxy's translate step.
std::string replay(const directives::ProxyServerConf& server, const std::string& target,
                   EncodedSlashes slashes) {
  const auto q = target.find('?');
  const std::string path = target.substr(0, q);
  std::optional<std::string> query;
  if (q != std::string::npos) query = target.substr(q + 1);
  if (bad_escape(path)) return "!400";
  const auto pre = pre_translate_path(path);
  if (!pre) return "!400";
  RequestUri req;
  req.raw_target = target;
  if (query) req.query = *query;
  req.uri = *pre;
  const PassMatch early = match_proxy_pass(server, nullptr, req, {}, true);
  // An exclusion found here does not stop the normal pass.
  if (early.result == PassResult::Proxy || early.result == PassResult::Error) return result_of(server, early);
  // ap_unescape_url: a NUL is refused, an encoded '/' too unless AllowEncodedSlashes allows it
  // (NoDecode leaves it encoded).
  std::string uri;
  for (std::size_t i = 0; i < pre->size(); ++i) {
    if ((*pre)[i] == '%') {
      const char c = static_cast<char>(test::hexval((*pre)[i + 1]) * 16 + test::hexval((*pre)[i + 2]));
      if (c == '\0' || (c == '/' && slashes == EncodedSlashes::Off)) return "!404";
      if (c == '/' && slashes == EncodedSlashes::NoDecode)
        uri.append(*pre, i, 3);
      else
        uri += c;
      i += 2;
    } else {
      uri += (*pre)[i];
    }
  }
  // Decoded slashes are normalised again (AllowEncodedSlashes On).
  std::optional<std::string> renormalised;
  if (slashes == EncodedSlashes::On && uri != *pre) {
    renormalised = remove_dot_segments(uri);
    if (!renormalised) return "!400";
    uri = *renormalised;
  }
  req.uri = uri;
  req.keep_encoded_slashes = slashes == EncodedSlashes::NoDecode;
  return result_of(server, match_proxy_pass(server, nullptr, req));
}

TEST(PassCases, MatchApache) {
  const auto sets = load();
  ASSERT_EQ(sets.size(), 7u);
  std::size_t total = 0;
  for (const auto& set : sets) {
    const auto c = test::compile_ok(set.config);
    ASSERT_TRUE(c.config);
    const EncodedSlashes slashes =
        set.config.find("AllowEncodedSlashes NoDecode") != std::string::npos ? EncodedSlashes::NoDecode
        : set.config.find("AllowEncodedSlashes On") != std::string::npos     ? EncodedSlashes::On
                                                                             : EncodedSlashes::Off;
    for (const auto& [target, expected] : set.cases) {
      EXPECT_EQ(replay(c.config->main.proxy, target, slashes), expected) << "target " << target << "\n"
                                                                         << set.config;
      ++total;
    }
  }
  EXPECT_GT(total, 1000u);
}

} // namespace
} // namespace balancerd::proxypass
