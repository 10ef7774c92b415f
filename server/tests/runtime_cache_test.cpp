// The per-thread merge cache: the cached answer is the uncached one, entries are shared, the bound
// holds, and threads and resolvers never see each other's entries.
#include "runtime_test_support.hpp"
#include "server/runtime/request_config.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace {

using namespace balancerd::runtime;
namespace d = balancerd::directives;
using balancerd::runtime::testing::compile_text;

const std::string kConfig =
    "Header set X-S s\n<Location />\nHeader add X-L root\n</Location>\n<Location /a>\nHeader add X-L a\n"
    "ErrorDocument 404 /a\n</Location>\n<LocationMatch ^/a/(?<id>[0-9]+)>\nHeader add X-L "
    "m\n</LocationMatch>\n"
    "<Location /b>\nRequire ip 10.0.0.0/8\n</Location>\n<If \"-n %{HTTP:x}\">\nHeader add X-L if\n</If>\n"
    "<Directory /srv>\nHeader add X-L dir\n</Directory>\n<Proxy http://be/>\nHeader add X-L proxy\n</Proxy>\n"
    "<VirtualHost *:28080>\n<Location /a>\nHeader add X-L vh\n</Location>\n</VirtualHost>\n";

std::string fingerprint(const d::DirConf& c) {
  std::string out;
  for (const auto& r : c.headers.rules) {
    out += r.header + "=";
    for (const auto& i : r.value) out += i.text;
    out += ";";
  }
  for (const auto& [status, doc] : c.core->error_documents) out += std::to_string(status) + doc.action;
  out += c.authz->root ? "authz" : "-";
  return out;
}

struct Case {
  int vhost;
  const char* uri;
  const char* file;
  const char* proxy;
  bool cond;
};
const Case kCases[] = {{kMainServer, "/", "", "", false},
                       {kMainServer, "/a", "", "", false},
                       {kMainServer, "/a/12", "", "", false},
                       {kMainServer, "/a/12", "", "", true},
                       {kMainServer, "/b/x", "", "", false},
                       {kMainServer, "/f", "/srv/f", "", false},
                       {kMainServer, "/p", "", "http://be/x", true},
                       {0, "/a/7", "", "", false},
                       {0, "/a/7", "/srv/a/7", "", true},
                       {0, "/zzz", "", "", false}};

ExprHook hook_for(bool cond) {
  return [cond](const d::expr::Expr&) { return cond; };
}

TEST(RuntimeCache, CachedAnswersEqualUncachedOnes) {
  RequestConfigResolver resolver(compile_text(kConfig));
  for (int round = 0; round < 3; ++round)
    for (const Case& c : kCases) {
      const auto& server = resolver.server(c.vhost);
      const auto cached = resolver.resolve(server, c.uri, c.file, c.proxy, hook_for(c.cond));
      const auto plain = resolver.resolve_uncached(server, c.uri, c.file, c.proxy, hook_for(c.cond));
      EXPECT_EQ(fingerprint(*cached.dir), fingerprint(*plain.dir)) << c.uri << " round " << round;
      EXPECT_EQ(cached.env, plain.env) << c.uri;
    }
}

TEST(RuntimeCache, SameSectionsShareOneMergedConfig) {
  RequestConfigResolver resolver(compile_text(kConfig));
  const auto& main = resolver.server(kMainServer);
  const auto first = resolver.resolve(main, "/a/1", "", "", {});
  const auto second = resolver.resolve(main, "/a/2", "", "", {});
  EXPECT_EQ(first.dir.get(), second.dir.get()); // same sections matched, one merge
  EXPECT_EQ(first.env[0].second, "1");          // but each request has its own MATCH_ values
  EXPECT_EQ(second.env[0].second, "2");
  const auto stats = resolver.cache_stats();
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.hits, 1u);
  // A different vhost with the same main-server sections is a different key.
  const auto vh = resolver.resolve(resolver.server(0), "/a/1", "", "", {});
  EXPECT_NE(vh.dir.get(), first.dir.get());
}

TEST(RuntimeCache, NoSectionsReturnsTheServerLevelWithoutCaching) {
  RequestConfigResolver resolver(compile_text("Header set X 1\n"));
  const auto& main = resolver.server(kMainServer);
  const auto r = resolver.resolve(main, "/x", "", "", {});
  EXPECT_EQ(r.dir.get(), main.base.get());
  EXPECT_EQ(resolver.cache_stats().size, 0u);
}

TEST(RuntimeCache, BoundedSize) {
  std::string text;
  for (int i = 0; i < 20; ++i)
    text += "<Location /l" + std::to_string(i) + ">\nHeader set X " + std::to_string(i) + "\n</Location>\n";
  RequestConfigResolver resolver(compile_text(text), {}, 8);
  for (int i = 0; i < 20; ++i) {
    const auto r = resolver.resolve(resolver.server(kMainServer), "/l" + std::to_string(i), "", "", {});
    ASSERT_EQ(r.dir->headers.rules.size(), 1u);
    EXPECT_EQ(r.dir->headers.rules[0].value.at(0).text, std::to_string(i));
    EXPECT_LE(resolver.cache_stats().size, 8u);
  }
}

TEST(RuntimeCache, PerThreadAndPerResolver) {
  RequestConfigResolver a(compile_text(kConfig));
  RequestConfigResolver b(compile_text("<Location /a>\nHeader set X-B b\n</Location>\n"));
  const auto ra = a.resolve(a.server(kMainServer), "/a", "", "", {});
  const auto rb = b.resolve(b.server(kMainServer), "/a", "", "", {});
  EXPECT_NE(fingerprint(*ra.dir), fingerprint(*rb.dir)); // same section ids, different resolvers
  std::string in_thread;
  std::uint64_t thread_misses = 0;
  std::thread t([&] {
    in_thread = fingerprint(*a.resolve(a.server(kMainServer), "/a", "", "", {}).dir);
    thread_misses = a.cache_stats().misses;
  });
  t.join();
  EXPECT_EQ(in_thread, fingerprint(*ra.dir));
  EXPECT_EQ(thread_misses, 1u); // its own cache, filled once
}

} // namespace
