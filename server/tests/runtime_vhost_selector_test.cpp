// Virtual host selection. Every expectation below was observed on apache2 2.4 with the same vhost
// layout, each vhost answering 404 with its label (ErrorDocument 404 "label"):
//   apache2 -f /tmp/reqconfig/a/a.conf -k start
//   curl -s http://127.0.0.1:28501/x -H 'Host: FIRST.Example.:9999'        # -> first
//   curl -s --request-target http://second.example/x http://127.0.0.1:28501/ -H 'Host: first.example'
// (configs A, B and C below are the ones run, with Listen lines for each port on 127.0.0.1 and [::1]).
#include "runtime_test_support.hpp"
#include "server/runtime/host_match.hpp"
#include "server/runtime/vhost_selector.hpp"

#include <gtest/gtest.h>

namespace {

using namespace balancerd::runtime;
using balancerd::runtime::testing::compile_text;
using balancerd::runtime::testing::endpoint;

std::string vhost(const char* addresses, const char* name, const char* label, const char* extra = "") {
  std::string out = std::string("<VirtualHost ") + addresses + ">\n";
  if (*name) out += std::string("ServerName ") + name + "\n";
  out += extra;
  out += std::string("ErrorDocument 404 \"") + label + "\"\n</VirtualHost>\n";
  return out;
}

// Config A (apache2: /tmp/reqconfig/a/a.conf).
const std::string kConfigA =
    vhost("*:28501", "first.example", "first") +
    vhost("*:28501", "second.example", "second",
          "ServerAlias *.wild.example alias?.example other.example\n") +
    vhost("*:28501", "", "noname") +
    vhost("*:28501", "third.example", "third", "ServerAlias first.example\n") +
    vhost("127.0.0.1:28502", "ip2.example", "ip2") + vhost("*:28502", "star2.example", "star2") +
    vhost("_default_:28503", "def3.example", "def3") + vhost("*:28503", "star3.example", "star3") +
    vhost("[::1]:28505", "v6.example", "v6") + vhost("*:28506", "star6.example", "star6") +
    vhost("*:28506 127.0.0.1:28506", "mixed6.example", "mixed6");

// Config B (/tmp/reqconfig/b/b.conf).
const std::string kConfigB =
    vhost("*:28511", "s11.example", "s11") + vhost("*", "any.example", "any") +
    vhost("*:28511", "s11b.example", "s11b") + vhost("127.0.0.1", "ipany.example", "ipany") +
    vhost("127.0.0.1:28513", "ip13.example", "ip13") + vhost("127.0.0.1:*", "ipstar.example", "ipstar") +
    vhost("localhost:28514", "lh.example", "lh");

// Config C (/tmp/reqconfig/c/c.conf).
const std::string kConfigC = vhost("*", "any.example", "any") + vhost("*:28521", "s21.example", "s21") +
                             vhost("_default_", "def.example", "def") +
                             vhost("localhost:28522", "lh.example", "lh");

class Selection {
public:
  explicit Selection(const std::string& text) : config_(compile_text(text)), selector_(*config_) {}
  // The label of the server chosen for a request with this Host (raw header value) on ip:port.
  std::string operator()(const char* ip, std::uint16_t port, std::string_view host) const {
    const int index = selector_.select(endpoint(ip, port), normalize_host(host));
    if (index == kMainServer) return "main";
    const auto& docs = config_->vhosts.at(static_cast<std::size_t>(index)).dir.core->error_documents;
    const std::string& action = docs.at(404).action;
    return action.substr(action.front() == '"' ? 1 : 0);
  }
  const VhostSelector& selector() const { return selector_; }

private:
  std::shared_ptr<const balancerd::directives::Config> config_;
  VhostSelector selector_;
};

TEST(RuntimeHostName, NormalisedAsApacheCompares) {
  EXPECT_EQ(normalize_host("FIRST.Example.:9999"), "first.example");
  EXPECT_EQ(normalize_host("second.example."), "second.example");
  EXPECT_EQ(normalize_host("[::1]:28501"), "::1");
  EXPECT_EQ(normalize_host("[::1]"), "::1");
  EXPECT_EQ(normalize_host("Host"), "host");
  EXPECT_EQ(normalize_host(""), "");
}

TEST(RuntimeHostName, AbsoluteUriAuthorityBeatsHostHeader) {
  EXPECT_EQ(request_host("SECOND.example.:77", "first.example"), "second.example");
  EXPECT_EQ(request_host("user@second.example", "first.example"), "second.example");
  EXPECT_EQ(request_host("", "First.Example:80"), "first.example");
  EXPECT_EQ(request_host("", ""), "");
}

TEST(RuntimeHostName, AliasWildcards) {
  EXPECT_TRUE(wildcard_match("*.wild.example", "x.wild.example"));
  EXPECT_TRUE(wildcard_match("*.wild.example", "a.b.wild.example")); // '*' crosses dots
  EXPECT_FALSE(wildcard_match("*.wild.example", "wild.example"));
  EXPECT_TRUE(wildcard_match("alias?.example", "alias1.example"));
  EXPECT_FALSE(wildcard_match("alias?.example", "alias12.example"));
  EXPECT_FALSE(wildcard_match("alias?.example", "alias.example"));
  EXPECT_TRUE(wildcard_match("*", "anything"));
  EXPECT_TRUE(wildcard_match("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(wildcard_match("a*b*c", "aXXbYY"));
}

TEST(RuntimeVhostSelection, ServerNameInConfigOrder) {
  Selection s(kConfigA);
  EXPECT_EQ(s("127.0.0.1", 28501, "first.example"), "first");
  EXPECT_EQ(s("127.0.0.1", 28501, "second.example"), "second");
  EXPECT_EQ(s("127.0.0.1", 28501, "third.example"), "third");
  // third.example's alias first.example never wins: first.example's ServerName comes first.
  EXPECT_EQ(s("127.0.0.1", 28501, "FIRST.example"), "first");
}

TEST(RuntimeVhostSelection, HostPortTrailingDotAndCaseIgnored) {
  Selection s(kConfigA);
  EXPECT_EQ(s("127.0.0.1", 28501, "FIRST.Example.:9999"), "first");
  EXPECT_EQ(s("127.0.0.1", 28501, "second.example."), "second");
  EXPECT_EQ(s("127.0.0.1", 28501, "SECOND.example.:77"), "second"); // absolute-URI authority
}

TEST(RuntimeVhostSelection, ServerAliasExactAndWildcards) {
  Selection s(kConfigA);
  EXPECT_EQ(s("127.0.0.1", 28501, "OTHER.example"), "second");
  EXPECT_EQ(s("127.0.0.1", 28501, "x.wild.example"), "second");
  EXPECT_EQ(s("127.0.0.1", 28501, "a.b.wild.example"), "second");
  EXPECT_EQ(s("127.0.0.1", 28501, "wild.example"), "first");
  EXPECT_EQ(s("127.0.0.1", 28501, "alias1.example"), "second");
  EXPECT_EQ(s("127.0.0.1", 28501, "alias12.example"), "first");
}

TEST(RuntimeVhostSelection, VhostWithoutServerNameInheritsMainServers) {
  Selection s(kConfigA);
  EXPECT_EQ(s("127.0.0.1", 28501, "main.example"), "noname");
  EXPECT_EQ(s.selector().server_name(2), "main.example");
}

TEST(RuntimeVhostSelection, NoMatchOrNoHostGoesToFirstVhostOfTheAddress) {
  Selection s(kConfigA);
  EXPECT_EQ(s("127.0.0.1", 28501, "nomatch.example"), "first");
  EXPECT_EQ(s("127.0.0.1", 28501, ""), "first"); // curl -0 -H 'Host:'
  EXPECT_EQ(s("127.0.0.1", 28501, "[::1]:28501"), "first");
}

TEST(RuntimeVhostSelection, StarVhostsServeIpv6Too) {
  Selection s(kConfigA);
  EXPECT_EQ(s("::1", 28501, "second.example"), "second");
}

TEST(RuntimeVhostSelection, IpSpecificVhostBeatsStarOnSamePort) {
  Selection s(kConfigA);
  EXPECT_EQ(s("127.0.0.1", 28502, "star2.example"), "ip2");
}

TEST(RuntimeVhostSelection, DefaultAndStarShareOneNameChain) {
  Selection s(kConfigA);
  EXPECT_EQ(s("127.0.0.1", 28503, "star3.example"), "star3");
  EXPECT_EQ(s("127.0.0.1", 28503, "zz"), "def3");
}

TEST(RuntimeVhostSelection, Ipv6SpecificVhostAndMainServerFallback) {
  Selection s(kConfigA);
  EXPECT_EQ(s("::1", 28505, "whatever"), "v6");
  EXPECT_EQ(s("127.0.0.1", 28505, "v6.example"), "main"); // no vhost for 127.0.0.1:28505
  EXPECT_EQ(s("127.0.0.1", 9, "first.example"), "main");
}

TEST(RuntimeVhostSelection, MixedIpAndStarAddresses) {
  Selection s(kConfigA);
  EXPECT_EQ(s("127.0.0.1", 28506, "star6.example"), "mixed6"); // only the IP chain is searched
  EXPECT_EQ(s("::1", 28506, "star6.example"), "star6");
  EXPECT_EQ(s("::1", 28506, "mixed6.example"), "mixed6");
  EXPECT_EQ(s("::1", 28506, "zz"), "star6");
}

TEST(RuntimeVhostSelection, IpWithoutPortBeatsStarWithPort) {
  Selection s(kConfigB);
  EXPECT_EQ(s("127.0.0.1", 28511, "s11b.example"), "ipany");
  EXPECT_EQ(s("127.0.0.1", 28511, "any.example"), "ipany");
  EXPECT_EQ(s("127.0.0.1", 28512, "any.example"), "ipany");
}

TEST(RuntimeVhostSelection, IpStarPortIsTheSameChainAsIpWithoutPort) {
  Selection s(kConfigB);
  EXPECT_EQ(s("127.0.0.1", 28512, "ipstar.example"), "ipstar");
}

TEST(RuntimeVhostSelection, ExactIpPortBeatsIpAnyPort) {
  Selection s(kConfigB);
  EXPECT_EQ(s("127.0.0.1", 28513, "ipany.example"), "ip13");
  EXPECT_EQ(s("127.0.0.1", 28513, "zz"), "ip13");
}

TEST(RuntimeVhostSelection, StarWithoutPortServesOtherAddresses) {
  Selection s(kConfigB);
  EXPECT_EQ(s("::1", 28512, "s11.example"), "any");
  EXPECT_EQ(s("::1", 28513, "any.example"), "any");
}

TEST(RuntimeVhostSelection, HostNameAddressIsResolved) {
  Selection s(kConfigB);
  EXPECT_EQ(s("127.0.0.1", 28514, "any.example"), "lh");
}

TEST(RuntimeVhostSelection, StarWithPortBeatsStarWithoutPortWhateverTheOrder) {
  Selection s(kConfigC);
  EXPECT_EQ(s("127.0.0.1", 28521, "any.example"), "s21");
  EXPECT_EQ(s("127.0.0.1", 28521, "def.example"), "s21");
  EXPECT_EQ(s("::1", 28521, "s21.example"), "s21");
  EXPECT_EQ(s("127.0.0.1", 28522, "def.example"), "lh");
}

// curl http://127.0.0.1:28599/x -H 'Host: def.example' -> def; 'Host: zz' -> any (c.conf + Listen 28599).
TEST(RuntimeVhostSelection, UnderscoreDefaultWithoutPortIsStar) {
  Selection s(kConfigC);
  EXPECT_EQ(s("127.0.0.1", 28599, "def.example"), "def");
  EXPECT_EQ(s("127.0.0.1", 28599, "zz"), "any");
}

// apache2 -f /tmp/reqconfig/h/h.conf: curl http://127.0.0.1:28571/x -H 'Host: b.example' -> a
TEST(RuntimeVhostSelection, EarlierWildcardAliasBeatsLaterServerName) {
  Selection s(vhost("*:28571", "a.example", "a", "ServerAlias *.example\n") +
              vhost("*:28571", "b.example", "b") + vhost("*:28571", "c.example", "c"));
  EXPECT_EQ(s("127.0.0.1", 28571, "b.example"), "a");
  EXPECT_EQ(s("127.0.0.1", 28571, "a.example"), "a");
  EXPECT_EQ(s("127.0.0.1", 28571, "b.other"), "a"); // default: first
}

TEST(RuntimeVhostSelection, NoVhostsMeansMainServer) {
  Selection s("");
  EXPECT_EQ(s("127.0.0.1", 28080, "anything"), "main");
}

TEST(RuntimeVhostSelection, V4MappedLocalAddressIsIpv4) {
  const auto mapped = IpAddress::parse("::ffff:127.0.0.1");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, *IpAddress::parse("127.0.0.1"));
  Selection s(kConfigA);
  const int index = s.selector().select(LocalEndpoint{*mapped, 28502}, "star2.example");
  EXPECT_EQ(index, 4); // ip2
}

} // namespace
