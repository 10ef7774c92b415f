// The per-thread pool of string buffers the mapping builds its URL and filename in.
#include "server/proxypass/canon.hpp"
#include "server/proxypass/pass_match.hpp"
#include "server/proxypass/string_pool.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace balancerd::proxypass {
namespace {

// Empties this thread's pool (every test starts from a known state).
void drain_pool() {
  for (int i = 0; i < 1000 && take_pooled_string().capacity() > 15; ++i) {
  }
}

TEST(StringPool, GivenBackBufferIsTakenAgainEmpty) {
  drain_pool();
  std::string s(200, 'x');
  const char* buffer = s.data();
  give_back_pooled_string(s);
  EXPECT_TRUE(s.empty());
  std::string t = take_pooled_string();
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.data(), buffer); // the same allocation, not a new one
  EXPECT_GE(t.capacity(), 200u);
  EXPECT_EQ(take_pooled_string().capacity(), std::string().capacity()); // nothing else pooled
}

TEST(StringPool, InlineAndHugeBuffersAreNotKept) {
  drain_pool();
  std::string small = "abc";
  give_back_pooled_string(small);
  std::string huge(100000, 'y');
  give_back_pooled_string(huge);
  EXPECT_TRUE(huge.empty());
  EXPECT_LE(huge.capacity(), 15u); // freed, not merely cleared
  EXPECT_LE(take_pooled_string().capacity(), 15u);
}

TEST(StringPool, PoolsArePerThread) {
  drain_pool();
  std::string s(300, 'z');
  give_back_pooled_string(s);
  std::size_t other = 1;
  std::thread([&other] { other = take_pooled_string().capacity(); }).join();
  EXPECT_LE(other, 15u);
  EXPECT_GE(take_pooled_string().capacity(), 300u);
}

// A mapped request's URL and filename come from the pool and go back to it with the PassMatch: a
// buffer reused for a shorter URL holds nothing of the longer one before it.
TEST(StringPool, PassMatchReturnsItsBuffersAndReuseIsClean) {
  drain_pool();
  auto c = test::compile_ok("ProxyPass /app/ http://backend.example:8080/base/\n");
  const auto& server = c.config->main.proxy;
  const auto long_req = test::make_request("/app/" + std::string(100, 'a') + "?q=1");
  const char* url_buffer = nullptr;
  {
    const PassMatch m = match_proxy_pass(server, nullptr, long_req.view());
    ASSERT_EQ(m.result, PassResult::Proxy);
    EXPECT_EQ(m.target.url, "http://backend.example:8080/base/" + std::string(100, 'a') + "?q=1");
    url_buffer = m.target.url.data();
  }
  const auto short_req = test::make_request("/app/b");
  const PassMatch m = match_proxy_pass(server, nullptr, short_req.view());
  ASSERT_EQ(m.result, PassResult::Proxy);
  EXPECT_EQ(m.target.url, "http://backend.example:8080/base/b");
  EXPECT_EQ(m.filename, "proxy:http://backend.example:8080/base/b");
  // LIFO: the filename was given back last, so the URL took it; the URL's old buffer is the filename's.
  EXPECT_EQ(m.filename.data(), url_buffer);
}

TEST(StringPool, CanonicaliseIntoReplacesWhatTheBufferHeld) {
  std::string out(50, '#');
  EXPECT_EQ(canonicalise_into(out, "http://Host:80/a b", PathMode::Encode, std::string_view("x=1")), 0);
  EXPECT_EQ(out, "http://host/a%20b?x=1");
  EXPECT_EQ(canonicalise_into(out, "http://h:99999/x", PathMode::Encode, std::nullopt), 400);
  EXPECT_EQ(out, "");
  EXPECT_EQ(canonicalise_into(out, "nocolon", PathMode::Encode, std::nullopt), 400);
  EXPECT_EQ(out, "");
  const CanonResult r = canonicalise("balancer://App/x", PathMode::Encode, std::nullopt);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.url, "balancer://app/x");
}

} // namespace
} // namespace balancerd::proxypass
