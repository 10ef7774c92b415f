// Which sections apply to a request and in what order (spec §6.3). Each section adds its name with
// "Header always add X-Sec NAME", so the merged Header rules list the applied sections in merge
// order. The orders were observed on apache2 (mod_headers, one X-Sec line per section), e.g.:
//   apache2 -f /tmp/reqconfig/d/d.conf -k start; curl -sD - -o /dev/null http://127.0.0.1:28531/www/123/f.txt
//   -> server dir-docs dir-www dir-www-star dm-prefix-123 files-f files-in-docs loc-root loc-123slash if-f
#include "runtime_test_support.hpp"
#include "server/runtime/request_config.hpp"

#include <gtest/gtest.h>

namespace {

using namespace balancerd::runtime;
using balancerd::directives::expr::Expr;
using balancerd::runtime::testing::compile_text;

std::string tag(const char* name) {
  return std::string("Header always add X-Sec ") + name + "\n";
}

// The X-Sec values of the merged config, space-separated, in order.
std::string applied(const ResolvedConfig& r) {
  std::string out;
  for (const auto& rule : r.dir->headers.rules) {
    if (rule.header != "X-Sec") continue;
    if (!out.empty()) out += ' ';
    for (const auto& item : rule.value) out += item.text;
  }
  return out;
}

// An expression hook answering true for conditions whose text contains `needle`.
ExprHook text_contains(std::string needle) {
  return [needle](const Expr& e) { return e.source.find(needle) != std::string::npos; };
}

struct Fixture {
  explicit Fixture(const std::string& text) : resolver(compile_text(text)) {}
  std::string uri(std::string_view path, int vhost = kMainServer, const ExprHook& hook = {}) const {
    return applied(resolver.resolve(resolver.server(vhost), path, "", "", hook));
  }
  std::string file(std::string_view path, std::string_view file, const ExprHook& hook = {}) const {
    return applied(resolver.resolve(resolver.server(kMainServer), path, file, "", hook));
  }
  std::string proxy(std::string_view path, std::string_view url, int vhost = kMainServer) const {
    return applied(resolver.resolve(resolver.server(vhost), path, "", url, {}));
  }
  RequestConfigResolver resolver;
};

// The spec's example: <Location />, <Location /a>, <LocationMatch ^/a>, <Location /a/b>.
const std::string kLocations = "<Location />\n" + tag("root") + "ErrorDocument 404 /root\n</Location>\n" +
                               "<Location /a>\n" + tag("a") + "ErrorDocument 404 /a\n</Location>\n" +
                               "<LocationMatch ^/a>\n" + tag("match") +
                               "ErrorDocument 404 /match\n</LocationMatch>\n" + "<Location /a/b>\n" +
                               tag("ab") + "ErrorDocument 404 /ab\n</Location>\n";

TEST(RuntimeSectionOrder, LocationsTogetherInConfigOrder) {
  Fixture f(kLocations);
  EXPECT_EQ(f.uri("/a/b"), "root a match ab");
  const auto r = f.resolver.resolve(f.resolver.server(kMainServer), "/a/b", "", "", {});
  EXPECT_EQ(r.dir->core->error_documents.at(404).action, "/ab");
}

TEST(RuntimeSectionOrder, LaterLocationMatchWinsOverEarlierLiteral) {
  Fixture f(kLocations);
  EXPECT_EQ(f.uri("/a"), "root a match");
  const auto r = f.resolver.resolve(f.resolver.server(kMainServer), "/a", "", "", {});
  EXPECT_EQ(r.dir->core->error_documents.at(404).action, "/match");
}

TEST(RuntimeSectionOrder, LocationPrefixStopsAtSegmentBoundary) {
  Fixture f(kLocations);
  EXPECT_EQ(f.uri("/ab"), "root match");
  EXPECT_EQ(f.uri("/a/bc"), "root a match");
  EXPECT_EQ(f.uri("/a/b/c"), "root a match ab");
  EXPECT_EQ(f.uri("/x"), "root");
}

TEST(RuntimeSectionOrder, TrailingSlashLocationNeedsTheSlash) {
  Fixture f("<Location /www/123/>\n" + tag("slash") + "</Location>\n<Location /www/12>\n" + tag("12") +
            "</Location>\n");
  EXPECT_EQ(f.uri("/www/123"), "");
  EXPECT_EQ(f.uri("/www/123/"), "slash");
  EXPECT_EQ(f.uri("/www/123/f.txt"), "slash");
  EXPECT_EQ(f.uri("/www/12"), "12");
  EXPECT_EQ(f.uri("/www/12/x"), "12");
}

TEST(RuntimeSectionOrder, WildcardLocationMatchesTheWholePath) {
  // apache2: <Location /www/*> applied to /www/123 and /www/12, not to /www/123/f.txt.
  Fixture f("<Location /www/*>\n" + tag("star") + "</Location>\n");
  EXPECT_EQ(f.uri("/www/123"), "star");
  EXPECT_EQ(f.uri("/www/12"), "star");
  EXPECT_EQ(f.uri("/www/123/f.txt"), "");
}

TEST(RuntimeSectionOrder, SlashesMergedUnlessMergeSlashesOff) {
  const std::string text = "<Location /www/123/>\n" + tag("slash") + "</Location>\n";
  Fixture on(text);
  EXPECT_EQ(on.uri("/www/123//f.txt"), "slash"); // apache2: loc-123slash applied
  EXPECT_EQ(on.uri("//www///123/f"), "slash");
  Fixture off("MergeSlashes Off\n" + text);
  EXPECT_EQ(off.uri("/www//123/f.txt"), "");
}

TEST(RuntimeSectionOrder, LocationRegexFormsAndMatchVariables) {
  Fixture f("<Location ~ \"^/t[0-9]\">\n" + tag("tilde") + "</Location>\n" +
            "<LocationMatch \"^/users/(?<user>[a-z]+)/(\\d+)\">\n" + tag("named") + "</LocationMatch>\n");
  EXPECT_EQ(f.uri("/t1/x"), "tilde");
  EXPECT_EQ(f.uri("/tx"), "");
  const auto r = f.resolver.resolve(f.resolver.server(kMainServer), "/users/bob/42", "", "", {});
  EXPECT_EQ(applied(r), "named");
  ASSERT_EQ(r.env.size(), 1u); // unnamed groups are not exported
  EXPECT_EQ(r.env[0].first, "MATCH_USER");
  EXPECT_EQ(r.env[0].second, "bob");
  EXPECT_TRUE(f.resolver.resolve(f.resolver.server(kMainServer), "/t1", "", "", {}).env.empty());
}

TEST(RuntimeSectionOrder, RegexLocationIsCaseSensitiveUnlessAsked) {
  Fixture f("<LocationMatch ^/Up>\n" + tag("cs") + "</LocationMatch>\n<LocationMatch (?i)^/up>\n" +
            tag("ci") + "</LocationMatch>\n");
  EXPECT_EQ(f.uri("/Up"), "cs ci");
  EXPECT_EQ(f.uri("/UP"), "ci");
}

// apache2 (e.conf): GET /a/x on the vhost -> server vhost ... main-a vh-root.
TEST(RuntimeSectionOrder, VhostSectionsComeAfterMainServersOfTheSameGroup) {
  Fixture f(tag("server") + "<Location /a>\n" + tag("main-a") + "ErrorDocument 404 /main-a\n</Location>\n" +
            "<VirtualHost *:28080>\n" + tag("vhost") + "<Location />\n" + tag("vh-root") +
            "ErrorDocument 404 /vh-root\n</Location>\n</VirtualHost>\n");
  EXPECT_EQ(f.uri("/a/x", 0), "server vhost main-a vh-root");
  const auto r = f.resolver.resolve(f.resolver.server(0), "/a/x", "", "", {});
  EXPECT_EQ(r.dir->core->error_documents.at(404).action, "/vh-root");
  EXPECT_EQ(f.uri("/a/x", kMainServer), "server main-a");
}

// The filesystem walk, as observed on apache2 with /tmp/reqconfig/d/d.conf (paths below are that tree).
const std::string kTree =
    tag("server") + "<Directory /srv/docs/www>\n" + tag("dir-www") + "</Directory>\n" +
    "<Directory /srv/docs>\n" + tag("dir-docs") + "<Files \"f.*\">\n" + tag("files-in-docs") +
    "</Files>\n</Directory>\n" + "<Directory /srv/docs/www/*/>\n" + tag("dir-www-star") + "</Directory>\n" +
    "<DirectoryMatch \"^/srv/docs/www/[0-9]+$\">\n" + tag("dm-noslash") + "</DirectoryMatch>\n" +
    "<DirectoryMatch \"^/srv/docs/www/[0-9]+/$\">\n" + tag("dm-slash") + "</DirectoryMatch>\n" +
    "<DirectoryMatch \"^/srv/docs/www/(?<num>[0-9]+)\">\n" + tag("dm-prefix") + "</DirectoryMatch>\n" +
    "<Files \"f.txt\">\n" + tag("files-f") + "</Files>\n" + "<Location />\n" + tag("loc-root") +
    "</Location>\n" + "<Location /www/*>\n" + tag("loc-star") + "</Location>\n" + "<Location /www/123/>\n" +
    tag("loc-123slash") + "</Location>\n" + "<If \"%{REQUEST_URI} =~ /f/\">\n" + tag("if-f") +
    "</If>\n<Else>\n" + tag("else") + "</Else>\n";

TEST(RuntimeSectionOrder, FullWalkForAFile) {
  Fixture f(kTree);
  const auto hook = text_contains("/f/");
  EXPECT_EQ(
      f.file("/www/123/f.txt", "/srv/docs/www/123/f.txt", hook),
      "server dir-docs dir-www dir-www-star dm-prefix files-f files-in-docs loc-root loc-123slash if-f");
}

TEST(RuntimeSectionOrder, DirectoryRequests) {
  Fixture f(kTree);
  EXPECT_EQ(f.file("/www/123/", "/srv/docs/www/123/"),
            "server dir-docs dir-www dir-www-star dm-prefix dm-slash loc-root loc-123slash else");
  EXPECT_EQ(f.file("/www/abc/", "/srv/docs/www/abc/"), "server dir-docs dir-www dir-www-star loc-root else");
}

TEST(RuntimeSectionOrder, WildcardDirectoryCountsComponents) {
  Fixture f(kTree);
  // A deeper file still gets <Directory /srv/docs/www/*/>; a file directly in www/ does not.
  EXPECT_EQ(f.file("/www/123/sub/g.txt", "/srv/docs/www/123/sub/g.txt"),
            "server dir-docs dir-www dir-www-star dm-prefix loc-root loc-123slash else");
  EXPECT_EQ(f.file("/www/12", "/srv/docs/www/12"),
            "server dir-docs dir-www dm-noslash dm-prefix loc-root loc-star else");
}

TEST(RuntimeSectionOrder, FilesMatchesTheBaseNameOnly) {
  Fixture f(kTree);
  EXPECT_EQ(f.file("/www/abc/f.html", "/srv/docs/www/abc/f.html"),
            "server dir-docs dir-www dir-www-star files-in-docs loc-root else");
  // Nested <Files> only apply under their <Directory>.
  EXPECT_EQ(f.file("/f.txt", "/elsewhere/f.txt"), "server files-f loc-root else");
}

TEST(RuntimeSectionOrder, DirectoryMatchExportsNamedGroups) {
  Fixture f(kTree);
  const auto r =
      f.resolver.resolve(f.resolver.server(kMainServer), "/www/123/f.txt", "/srv/docs/www/123/f.txt", "", {});
  ASSERT_EQ(r.env.size(), 1u);
  EXPECT_EQ(r.env[0].first, "MATCH_NUM");
  EXPECT_EQ(r.env[0].second, "123");
}

TEST(RuntimeSectionOrder, DirectoryPathsAreCanonical) {
  Fixture f("<Directory /srv//a/./b/../c/>\n" + tag("ac") + "</Directory>\n<Directory />\n" + tag("root") +
            "</Directory>\n");
  EXPECT_EQ(f.file("/x", "/srv/a/c/x"), "root ac");
  EXPECT_EQ(f.file("/x", "/srv/a/cc/x"), "root");
  EXPECT_EQ(canonical_directory("/srv//a/./b/../c"), "/srv/a/c/");
  EXPECT_EQ(canonical_directory("/"), "/");
}

// apache2 -f /tmp/reqconfig/e/e.conf (same layout under /tmp/reqconfig/e): GET /a/b/c on the vhost ->
// main-a-dir vh-a main-ab vh-re main-re (regex ones sorted by the '/' count of their pattern).
TEST(RuntimeSectionOrder, DirectoryOrderShortestFirstThenConfigOrderMainBeforeVhost) {
  Fixture f("<Directory /a/b>\n" + tag("main-ab") + "</Directory>\n<Directory /a>\n" + tag("main-a") +
            "</Directory>\n<VirtualHost *:28080>\n<Directory /a>\n" + tag("vh-a") + "</Directory>\n" +
            "<DirectoryMatch ^/a>\n" + tag("vh-re") + "</DirectoryMatch>\n</VirtualHost>\n" +
            "<DirectoryMatch /b/>\n" + tag("main-re") + "</DirectoryMatch>\n");
  EXPECT_EQ(applied(f.resolver.resolve(f.resolver.server(0), "/", "/a/b/c", "", {})),
            "main-a vh-a main-ab vh-re main-re");
}

TEST(RuntimeSectionOrder, IfAfterEverythingElseWithElseIfChains) {
  Fixture f("<If \"-n %{HTTP:one}\">\n" + tag("one") + "</If>\n<ElseIf \"-n %{HTTP:two}\">\n" + tag("two") +
            "</ElseIf>\n<Else>\n" + tag("else") + "</Else>\n<Location />\n" + tag("loc") + "</Location>\n");
  EXPECT_EQ(f.uri("/", kMainServer, text_contains("one")), "loc one");
  EXPECT_EQ(f.uri("/", kMainServer, text_contains("two")), "loc two");
  EXPECT_EQ(f.uri("/", kMainServer, text_contains("HTTP")), "loc one"); // first true branch only
  EXPECT_EQ(f.uri("/", kMainServer, {}), "loc else");                   // no evaluator: conditions false
}

TEST(RuntimeSectionOrder, NestedIfsFollowTheirSectionsAndNest) {
  Fixture f("<If \"-n %{HTTP:a}\">\n" + tag("server-if") + "</If>\n<Location /x>\n" + tag("loc") +
            "<If \"-n %{HTTP:a}\">\n" + tag("loc-if") + "<If \"-n %{HTTP:inner}\">\n" + tag("inner") +
            "</If>\n</If>\n</Location>\n");
  EXPECT_EQ(f.uri("/x", kMainServer, text_contains("HTTP:a")), "loc server-if loc-if");
  EXPECT_EQ(f.uri("/x", kMainServer, text_contains("HTTP")), "loc server-if loc-if inner");
  EXPECT_EQ(f.uri("/y", kMainServer, text_contains("HTTP")), "server-if");
}

TEST(RuntimeSectionOrder, ProxySectionsForProxiedRequests) {
  Fixture f("<Proxy http://backend/app>\n" + tag("prefix") + "</Proxy>\n<Proxy http://*.internal/*>\n" +
            tag("wild") + "</Proxy>\n<ProxyMatch ^http://backend/(?<part>[a-z]+)>\n" + tag("re") +
            "</ProxyMatch>\n<Proxy balancer://pool>\n" + tag("bal") + "</Proxy>\n<Directory />\n" +
            tag("dir") + "</Directory>\n<Location />\n" + tag("loc") + "</Location>\n");
  EXPECT_EQ(f.proxy("/p", "http://backend/application"), "prefix re loc"); // plain prefix, no boundary
  EXPECT_EQ(f.proxy("/p", "http://backend/other"), "re loc");
  EXPECT_EQ(f.proxy("/p", "http://db.internal/q"), "wild loc");
  EXPECT_EQ(f.proxy("/p", "balancer://pool/x"), "bal loc");
  const auto r = f.resolver.resolve(f.resolver.server(kMainServer), "/p", "", "http://backend/app", {});
  ASSERT_EQ(r.env.size(), 1u);
  EXPECT_EQ(r.env[0].first, "MATCH_PART");
  EXPECT_EQ(r.env[0].second, "app");
  // Not proxied: <Proxy> sections do not apply; the filesystem walk does.
  EXPECT_EQ(f.file("/p", "/srv/p"), "dir loc");
}

TEST(RuntimeSectionOrder, VhostProxySectionsAfterMainServers) {
  Fixture f("<Proxy http://b/>\n" + tag("main") + "</Proxy>\n<VirtualHost *:28080>\n<Proxy http://b>\n" +
            tag("vhost") + "</Proxy>\n</VirtualHost>\n");
  EXPECT_EQ(f.proxy("/", "http://b/x", 0), "main vhost");
  EXPECT_EQ(f.proxy("/", "http://b/x", kMainServer), "main");
}

// apache2 (e.conf): GET /lim -> loc in-limit (a <Limit POST> does not restrict Header).
TEST(RuntimeSectionOrder, LimitContentsBelongToTheEnclosingSection) {
  Fixture f("<Location /l>\n" + tag("loc") + "<Limit POST>\n" + tag("in-limit") + "</Limit>\n</Location>\n");
  EXPECT_EQ(f.uri("/l"), "loc in-limit");
}

// apache2 -f /tmp/reqconfig/f/f.conf (backend 127.0.0.1:9 down, so 503 with the "always" headers):
//   GET /m/x on the vhost -> re-main main-proxy vh-main-proxy loc (the main server's ProxyPass /m wins)
//   GET /p/x -> prefix re-application loc;  GET /w -> wild loc
const std::string kProxyTree =
    "<Proxy http://127.0.0.1:9/app>\n" + tag("prefix") + "</Proxy>\n" + "<Proxy http://*.internal:9/*>\n" +
    tag("wild") + "</Proxy>\n" + "<ProxyMatch ^http://127.0.0.1:9/(?<part>[a-z]+)>\n" + tag("re") +
    "</ProxyMatch>\n<Proxy http://127.0.0.1:9/main/>\n" + tag("main-proxy") + "</Proxy>\n<Location />\n" +
    tag("loc") + "</Location>\n" + "<VirtualHost *:28080>\n<Proxy http://127.0.0.1:9/vh/>\n" +
    tag("vh-proxy") + "</Proxy>\n<Proxy http://127.0.0.1:9/main>\n" + tag("vh-main-proxy") +
    "</Proxy>\n</VirtualHost>\n";

TEST(RuntimeSectionOrder, ProxyWalkAsObserved) {
  Fixture f(kProxyTree);
  EXPECT_EQ(f.proxy("/m/x", "http://127.0.0.1:9/main/x", 0), "re main-proxy vh-main-proxy loc");
  EXPECT_EQ(f.proxy("/p/x", "http://127.0.0.1:9/application/x", 0), "prefix re loc");
  EXPECT_EQ(f.proxy("/w", "http://db.internal:9/q", 0), "wild loc");
  const auto r = f.resolver.resolve(f.resolver.server(0), "/p/x", "", "http://127.0.0.1:9/application/x", {});
  ASSERT_EQ(r.env.size(), 1u);
  EXPECT_EQ(r.env[0].second, "application");
}

} // namespace
