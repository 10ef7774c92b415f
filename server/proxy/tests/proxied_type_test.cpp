// mod_mime's type for a proxied request's r->filename (kept when the backend sends no Content-Type),
// as apache2 answered compat proxy pp-match-backrefs, pp-no-proxy-env and pp-match-exclusion; its
// charset, encodings and languages as in resp-mime-charset-encoding-language.
#include <gtest/gtest.h>

#include "server/proxy/proxied_type.hpp"

namespace balancerd::proxy {
namespace {

handlers::MimeTypes types() {
  handlers::MimeTypes m;
  m.add("png", "image/png");
  m.add("txt", "text/plain");
  m.add("html", "text/html");
  return m;
}

TEST(ProxiedType, LastSegmentExtension) {
  const auto m = types();
  EXPECT_EQ(proxied_file_type("proxy:http://127.0.0.1:8080/static/a/b.png", m, nullptr), "image/png");
  EXPECT_EQ(proxied_file_type("proxy:balancer://c/page.txt", m, nullptr), "text/plain");
  // the query is not part of r->filename when the type checker runs
  EXPECT_EQ(proxied_file_type("proxy:http://h/s/page.html?v=3", m, nullptr), "text/html");
}

TEST(ProxiedType, NoTypeWithoutAKnownExtension) {
  const auto m = types();
  EXPECT_EQ(proxied_file_type("proxy:http://h/items/42%3Fowner=alice", m, nullptr), "");
  EXPECT_EQ(proxied_file_type("proxy:http://h/dir/", m, nullptr), "");
  EXPECT_EQ(proxied_file_type("proxy:http://h/a.unknown", m, nullptr), "");
}

TEST(ProxiedType, ForceTypeWins) {
  const auto m = types();
  directives::DirConf dir;
  dir.core->force_type = "application/x-forced";
  EXPECT_EQ(proxied_file_type("proxy:http://h/a.png", m, &dir), "application/x-forced");
}

directives::MimeMapping mapping(directives::MimeMapping::Kind kind, std::string value, std::string ext) {
  directives::MimeMapping m;
  m.kind = kind;
  m.value = std::move(value);
  m.extensions.push_back(std::move(ext));
  return m;
}

directives::DirConf mime_dir() {
  using K = directives::MimeMapping::Kind;
  directives::DirConf dir;
  auto& maps = dir.mapping->mime;
  maps.push_back(mapping(K::Charset, "utf-8", "utf8"));
  maps.push_back(mapping(K::Encoding, "X-GZIP", "gz"));
  maps.push_back(mapping(K::Encoding, "x-compress", "z"));
  maps.push_back(mapping(K::Language, "fr", "fr"));
  maps.push_back(mapping(K::Language, "EN-us", "en"));
  return dir;
}

TEST(ProxiedMime, CharsetEncodingsAndLanguagesInExtensionOrder) {
  const auto m = types();
  auto dir = mime_dir();
  ProxiedMime out;
  proxied_mime("proxy:http://h/a.html.fr.gz.en.Z.UTF8?q=1.it", m, &dir, out);
  EXPECT_EQ(out.type, "text/html; charset=utf-8");
  EXPECT_EQ(out.encoding, "x-gzip, x-compress");
  EXPECT_EQ(out.languages, "fr,en-us");
  // a charset without a type names nothing; no language and no DefaultLanguage: none
  proxied_mime("proxy:http://h/a.utf8", m, &dir, out);
  EXPECT_EQ(out.type, "");
  EXPECT_EQ(out.languages, "");
  dir.mapping->default_language = "EN-GB";
  proxied_mime("proxy:http://h/a.txt", m, &dir, out);
  EXPECT_EQ(out.languages, "EN-GB"); // DefaultLanguage as written
  proxied_mime("proxy:http://h/a.fr.fr", m, &dir, out);
  EXPECT_EQ(out.languages, "fr,fr"); // an extension's language replaces it; duplicates kept
  // ForceType is the whole type: no charset added
  dir.core->force_type = "application/x-forced";
  proxied_mime("proxy:http://h/a.utf8", m, &dir, out);
  EXPECT_EQ(out.type, "application/x-forced");
}

TEST(ProxiedMime, AppliedOverTheBackendsFields) {
  ProxiedMime m;
  m.encoding = "x-gzip";
  m.languages = "fr";
  std::vector<Field> f{{"Content-Encoding", "br"},
                       {"Content-Language", "en,  es"},
                       {"X-A", "1"},
                       {"Content-Encoding", "gzip"},
                       {"content-language", "it"}};
  std::string buf;
  apply_proxied_mime(f, m, buf);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].name, "X-A");
  EXPECT_EQ(f[1].name, "Content-Encoding");
  EXPECT_EQ(f[1].value, "x-gzip");
  EXPECT_EQ(f[2].name, "Content-Language");
  EXPECT_EQ(f[2].value, "fr,en,es,it");
  // nothing of mod_mime's: the backend's fields stay exactly as they were
  std::vector<Field> g{{"Content-Encoding", "br"}, {"Content-Language", "en,  es"}};
  apply_proxied_mime(g, ProxiedMime{}, buf);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[1].value, "en,  es");
}

} // namespace
} // namespace balancerd::proxy
