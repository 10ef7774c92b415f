// %{REMOTE_HOST} and the lazy name lookup (RequestFacts::lookup_remote_host): Apache resolves the
// client's name only when an expression asks for it, so the hook runs on the first read of the
// variable, never for expressions that do not name it, and not at all once a name is known.
#include <gtest/gtest.h>

#include <string>

#include "directives/expr/expr.hpp"
#include "server/expr/expr_eval.hpp"

namespace balancerd::expr {
namespace {

// Stands in for the pipeline's request state: counts lookups and caches the answer as it does.
struct FakeLookup {
  std::string answer;
  std::string cached;
  int calls = 0;
  RequestContext* ctx = nullptr;
  static std::string_view run(void* arg) {
    auto& self = *static_cast<FakeLookup*>(arg);
    ++self.calls;
    self.cached = self.answer;
    if (!self.cached.empty()) self.ctx->info.remote_host = self.cached; // found: no second lookup
    self.ctx->info.lookup_remote_host = nullptr;                        // looked up once, even if in vain
    return self.cached;
  }
};

struct Fixture {
  RequestContext ctx;
  Evaluator ev;
  FakeLookup lookup;
  Fixture() {
    ctx.info.method = "GET";
    ctx.info.useragent_ip = "127.0.0.1";
    ctx.info.client_ip = "127.0.0.1";
    lookup.ctx = &ctx;
  }
  void with_lookup(std::string answer) {
    lookup.answer = std::move(answer);
    ctx.info.lookup_remote_host = &FakeLookup::run;
    ctx.info.lookup_remote_host_arg = &lookup;
  }
  std::string str(std::string_view text) {
    auto r = directives::expr::parse_string(text);
    EXPECT_TRUE(r.ok()) << text << ": " << r.error;
    std::string o;
    if (r.ok()) {
      EXPECT_TRUE(ev.eval_string(*r.expr, ctx, o));
    }
    return o;
  }
  bool cond(std::string_view text) {
    auto r = directives::expr::parse(text);
    EXPECT_TRUE(r.ok()) << text << ": " << r.error;
    return r.ok() && ev.eval_bool(*r.expr, ctx).value_or(false);
  }
};

TEST(ExprRemoteHost, WithoutLookupIsTheAddress) {
  Fixture f; // HostnameLookups Off: no hook
  EXPECT_EQ(f.str("%{REMOTE_HOST}"), "127.0.0.1");
  EXPECT_FALSE(f.cond("%{REMOTE_HOST} == 'localhost'"));
}

TEST(ExprRemoteHost, KnownNameWins) {
  Fixture f;
  f.ctx.info.remote_host = "client.example";
  f.with_lookup("other.example");
  EXPECT_EQ(f.str("%{REMOTE_HOST}"), "client.example");
  EXPECT_EQ(f.lookup.calls, 0);
}

TEST(ExprRemoteHost, LooksUpOnFirstReadAndOnlyThen) {
  Fixture f;
  f.with_lookup("localhost");
  EXPECT_TRUE(f.cond("%{REQUEST_METHOD} == 'GET'"));
  EXPECT_EQ(f.lookup.calls, 0); // an expression that does not name REMOTE_HOST resolves nothing
  EXPECT_TRUE(f.cond("%{REMOTE_HOST} == 'localhost'"));
  EXPECT_EQ(f.lookup.calls, 1);
  EXPECT_EQ(f.str("name=%{REMOTE_HOST} host=%{REMOTE_HOST}"), "name=localhost host=localhost");
  EXPECT_EQ(f.lookup.calls, 1);
}

TEST(ExprRemoteHost, NoNameFallsBackToTheAddress) {
  Fixture f;
  f.with_lookup("");
  f.ctx.info.useragent_ip = "192.0.2.7"; // REMOTE_HOST is the client (after mod_remoteip), not the peer
  EXPECT_EQ(f.str("%{REMOTE_HOST}"), "192.0.2.7");
  EXPECT_EQ(f.str("%{REMOTE_HOST}"), "192.0.2.7");
  EXPECT_EQ(f.lookup.calls, 1);
}

} // namespace
} // namespace balancerd::expr
