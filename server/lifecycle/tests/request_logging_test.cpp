// The per-request logging pieces the running server wires in: CustomLog expr= conditions evaluated
// over the log view, HostnameLookups through the per-thread resolver cache, and a section's own
// LogLevel for the request's error-log lines.
#include <pthread.h>

#include <gtest/gtest.h>

#include <map>

#include "directives/expr/expr.hpp"
#include "server/access/host_cache.hpp"
#include "server/log/error_format.hpp"
#include "server/log/log_set.hpp"
#include "server/pipeline/request_log.hpp"

using namespace balancerd;

namespace {

std::optional<std::string_view> map_lookup(const void* ctx, std::string_view name) {
  const auto& m = *static_cast<const std::map<std::string, std::string, std::less<>>*>(ctx);
  auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  return std::string_view(it->second);
}

bool eval(std::string_view text, const log::RequestLogView& v) {
  auto parsed = directives::expr::parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error;
  return parsed.ok() && pipeline::eval_log_condition(*parsed.expr, v);
}

} // namespace

TEST(LogCondition, ExpressionsSeeTheFinishedRequest) {
  std::map<std::string, std::string, std::less<>> in{{"X-Log", "yes"}}, out{{"X-Out", "1"}},
      env{{"marked", "1"}};
  log::ConnLogView conn;
  conn.peer_ip = "127.0.0.1";
  log::RequestLogView v;
  v.conn = &conn;
  v.client_ip = "127.0.0.1";
  v.method = "GET";
  v.path = "/a.txt";
  v.query = "x=1";
  v.status = 404;
  v.headers_in = {&in, &map_lookup};
  v.headers_out = {&out, &map_lookup};
  v.env = {&env, &map_lookup};
  EXPECT_TRUE(eval("%{REQUEST_STATUS} == 404", v));
  EXPECT_FALSE(eval("%{REQUEST_STATUS} == 200", v));
  EXPECT_TRUE(eval("%{HTTP:X-Log} == 'yes'", v));
  EXPECT_TRUE(eval("%{REQUEST_URI} =~ m#^/a# && %{QUERY_STRING} == 'x=1' && %{REQUEST_METHOD} == 'GET'", v));
  EXPECT_TRUE(eval("resp('X-Out') == '1'", v));
  EXPECT_TRUE(eval("-n %{ENV:marked}", v));
  EXPECT_FALSE(eval("-n %{ENV:unset}", v));
  EXPECT_TRUE(eval("-R '127.0.0.0/8'", v));
  EXPECT_EQ(eval("%{REMOTE_HOST} == '127.0.0.1'", v), true); // no lookup: the address
  v.remote_host = "client.example";
  EXPECT_TRUE(eval("%{REMOTE_HOST} == 'client.example'", v));
}

namespace {

struct CountingResolver : access::HostResolver {
  int *reverse_calls, *forward_calls;
  std::map<std::string, std::string> names;
  std::map<std::string, std::vector<std::string>> addrs;
  CountingResolver(int* r, int* f) : reverse_calls(r), forward_calls(f) {}
  std::string reverse(std::string_view ip) override {
    ++*reverse_calls;
    auto it = names.find(std::string(ip));
    return it == names.end() ? std::string() : it->second;
  }
  std::vector<std::string> forward(std::string_view name) override {
    ++*forward_calls;
    auto it = addrs.find(std::string(name));
    return it == addrs.end() ? std::vector<std::string>{} : it->second;
  }
};

access::CachingHostResolver::Clock::time_point fake_now_value;
access::CachingHostResolver::Clock::time_point fake_now() {
  return fake_now_value;
}

} // namespace

TEST(HostnameLookups, CachedPerAddressForAMinute) {
  int reverse_calls = 0, forward_calls = 0;
  auto inner = std::make_unique<CountingResolver>(&reverse_calls, &forward_calls);
  inner->names = {{"10.0.0.1", "Good.Example"}, {"10.0.0.2", "liar.example"}};
  inner->addrs = {{"Good.Example", {"10.0.0.1"}}, {"liar.example", {"10.9.9.9"}}};
  fake_now_value = {};
  access::CachingHostResolver cache(std::move(inner), &fake_now);

  EXPECT_EQ(access::lookup_remote_host(cache, "on", "10.0.0.1"), "good.example");
  EXPECT_EQ(access::lookup_remote_host(cache, "on", "10.0.0.1"), "good.example");
  EXPECT_EQ(reverse_calls, 1);
  EXPECT_EQ(access::lookup_remote_host(cache, "on", "10.0.0.3"), ""); // no PTR: the address is logged
  EXPECT_EQ(access::lookup_remote_host(cache, "on", "10.0.0.3"), "");
  EXPECT_EQ(reverse_calls, 2); // a missing name is cached too

  // Double: the name only when it resolves back to the address
  EXPECT_EQ(access::lookup_remote_host(cache, "double", "10.0.0.1"), "good.example");
  EXPECT_EQ(access::lookup_remote_host(cache, "double", "10.0.0.2"), "");
  EXPECT_EQ(forward_calls, 2);
  EXPECT_EQ(access::lookup_remote_host(cache, "off", "10.0.0.1"), "");

  fake_now_value += access::CachingHostResolver::kTtl + std::chrono::seconds(1);
  EXPECT_EQ(access::lookup_remote_host(cache, "on", "10.0.0.1"), "good.example");
  EXPECT_EQ(reverse_calls, 4); // 10.0.0.1 and 10.0.0.2 (double) were looked up before the expiry
}

TEST(DirLogLevel, SectionLevelsReplaceTheServerLevelsForTheRequest) {
  log::ServerLogs logs;
  logs.levels = log::LevelTable(log::kWarn);
  runtime::ServerView sv;
  auto base = std::make_shared<directives::DirConf>();
  sv.base = base;

  pipeline::RequestState st;
  st.logs = &logs;
  st.server = &sv;
  st.dir = base;
  EXPECT_EQ(&pipeline::request_levels(st), &logs.levels); // no section: the server's table
  EXPECT_FALSE(pipeline::request_levels(st).enabled(log::mod::core, log::kInfo));

  auto same = std::make_shared<directives::DirConf>(*base); // a section without LogLevel
  st.dir = same;
  EXPECT_EQ(&pipeline::request_levels(st), &logs.levels);

  auto chatty = std::make_shared<directives::DirConf>(*base);
  chatty->core->log_level.level = log::kInfo;
  st.dir = chatty;
  EXPECT_TRUE(pipeline::request_levels(st).enabled(log::mod::core, log::kInfo));
  EXPECT_FALSE(pipeline::request_levels(st).enabled(log::mod::core, log::kDebug));

  auto quiet = std::make_shared<directives::DirConf>(*base);
  quiet->core->log_level.level = log::kCrit;
  quiet->core->log_level.modules["proxy_module"] = log::kDebug;
  st.dir = quiet; // a new effective config is noticed
  EXPECT_FALSE(pipeline::request_levels(st).enabled(log::mod::authz_core, log::kError));
  EXPECT_TRUE(pipeline::request_levels(st).enabled(log::mod::proxy, log::kDebug));

  st.reset();
  st.logs = &logs;
  EXPECT_EQ(&pipeline::request_levels(st), &logs.levels);
}

// apache2's thread ids in error lines: the default layout's is the kernel's (%{g}T, gettid, which
// ErrorLog fills in), a custom ErrorLogFormat's %T the pthread id.
TEST(ErrorLineThreadId, DefaultLayoutPrintsTheKernelId) {
  log::ErrorEvent ev;
  ev.module = log::mod::core;
  ev.level = log::kError;
  ev.pid = 7;
  ev.tid = 42;
  std::string out;
  log::ErrorLineFormat::apache_default().render(ev, "m", out);
  EXPECT_NE(out.find("[pid 7:tid 42] m"), std::string::npos) << out;
  const auto custom = log::ErrorLineFormat::compile("%T|%{g}T");
  ASSERT_TRUE(custom);
  out.clear();
  custom->render(ev, "m", out);
  EXPECT_EQ(out, std::to_string(static_cast<unsigned long>(::pthread_self())) + "|42");
}
