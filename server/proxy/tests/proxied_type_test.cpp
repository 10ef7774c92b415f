// mod_mime's type for a proxied request's r->filename (kept when the backend sends no Content-Type),
// as apache2 answered compat proxy pp-match-backrefs, pp-no-proxy-env and pp-match-exclusion.
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

} // namespace
} // namespace balancerd::proxy
