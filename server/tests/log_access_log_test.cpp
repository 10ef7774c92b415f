// CustomLog behaviour: env=/env=!/expr= conditions, BufferedLogs, and the set of logs opened from a
// compiled config (vhost inheritance, GlobalLog, nicknames, piped CustomLog).
#include "directives/compile.hpp"
#include "log_test_support.hpp"
#include "server/log/access_log.hpp"
#include "server/log/log_set.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace balancerd::log::testing {
namespace {

class MemoryTarget : public LogTarget {
public:
  void write(std::string_view lines, int) override {
    std::lock_guard lock(mutex);
    data += lines;
    ++writes;
  }
  std::mutex mutex;
  std::string data;
  int writes = 0;
};

directives::LogCondition condition(std::string_view text) {
  directives::LogCondition c;
  const auto err = directives::http::parse_log_condition(text, c);
  EXPECT_FALSE(err) << *err;
  return c;
}

TEST(AccessLog, EnvConditions) {
  auto t = std::make_shared<MemoryTarget>();
  AccessLog tester(t, compile("T %U"), condition("env=IS_TESTER"), false);
  AccessLog others(t, compile("O %U"), condition("env=!IS_TESTER"), false);
  FakeRequest a, b;
  a.view.path = "/index.html";
  a.env["IS_TESTER"] = ""; // set, even if empty
  b.view.path = "/nothere";
  for (auto* r : {&a, &b}) {
    tester.log(r->view);
    others.log(r->view);
  }
  EXPECT_EQ(t->data, "T /index.html\nO /nothere\n");
}

TEST(AccessLog, ExprConditionUsesTheCallback) {
  auto t = std::make_shared<MemoryTarget>();
  int calls = 0;
  LogExprEval eval = [&](const directives::expr::Expr&, const RequestLogView& r) {
    ++calls;
    return r.status >= 500;
  };
  AccessLog l(t, compile("%>s"), condition("expr=%{REQUEST_STATUS} >= 500"), false, eval);
  FakeRequest r;
  r.view.status = 200;
  l.log(r.view);
  r.view.status = 503;
  l.log(r.view);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(t->data, "503\n");
}

TEST(AccessLog, UnbufferedWritesEachLineAtOnce) {
  auto t = std::make_shared<MemoryTarget>();
  AccessLog l(t, compile("%m %U"), {}, false);
  FakeRequest r;
  r.view.method = "GET";
  r.view.path = "/a";
  l.log(r.view);
  EXPECT_EQ(t->writes, 1);
  EXPECT_EQ(t->data, "GET /a\n");
}

TEST(AccessLog, BufferedHoldsLinesUntilFullOrFlushed) {
  auto t = std::make_shared<MemoryTarget>();
  AccessLog l(t, compile("%U"), {}, true);
  FakeRequest r;
  const std::string path(99, 'p'); // 100 bytes a line
  r.view.path = path;
  for (int i = 0; i < 40; ++i) l.log(r.view);
  EXPECT_EQ(t->writes, 0);
  for (int i = 0; i < 1; ++i) l.log(r.view); // 4100 bytes >= 4096
  EXPECT_EQ(t->writes, 1);
  EXPECT_EQ(t->data.size(), 4100u);
  l.log(r.view);
  l.flush_older_than(std::chrono::hours(1));
  EXPECT_EQ(t->writes, 1);
  l.flush_older_than(std::chrono::seconds(0));
  EXPECT_EQ(t->writes, 2);
  l.log(r.view);
  l.flush();
  EXPECT_EQ(t->writes, 3);
  EXPECT_EQ(t->data.size(), 4300u);
}

TEST(AccessLog, BufferedLinesOfOtherThreadsAreFlushedWhole) {
  auto t = std::make_shared<MemoryTarget>();
  {
    AccessLog l(t, compile("%U"), {}, true);
    std::vector<std::thread> threads;
    for (int n = 0; n < 4; ++n)
      threads.emplace_back([&l, n] {
        FakeRequest r;
        const std::string path = "/t" + std::to_string(n);
        r.view.path = path;
        for (int i = 0; i < 500; ++i) l.log(r.view);
      });
    for (auto& th : threads) th.join();
  } // destructor flushes what the (finished) threads left
  std::istringstream in(t->data);
  std::map<std::string, int> counts;
  for (std::string line; std::getline(in, line);) ++counts[line];
  EXPECT_EQ(counts, (std::map<std::string, int>{{"/t0", 500}, {"/t1", 500}, {"/t2", 500}, {"/t3", 500}}));
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LogSet, OpensTheConfigsLogsWithApacheInheritance) {
  char tmpl[] = "/tmp/bd-logging-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  const std::string conf = dir + "/x.conf";
  std::ofstream(conf) << "ServerRoot " << dir << "\n"
                      << "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
                      << "ServerName main.example\nErrorLog " << dir << "/error.log\n"
                      << "CustomLog " << dir << "/main.log late\n" // nickname defined below: resolved at open
                      << "LogFormat \"%v %U\" late\n"
                      << "GlobalLog " << dir << "/global.log \"%v G\"\n"
                      << "CustomLog \"|$exec /bin/cat >> " << dir << "/piped.log\" \"%U %>s\"\n"
                      << "<VirtualHost *:80>\nServerName own.example\nCustomLog " << dir
                      << "/own.log \"%v O\"\n"
                      << "ErrorLog " << dir << "/own-error.log\nLogLevel debug\n</VirtualHost>\n"
                      << "<VirtualHost *:80>\nServerName inherit.example\n</VirtualHost>\n";
  parser::ReadOptions options;
  options.server_root = dir;
  options.config_file = conf;
  directives::Diagnostics diagnostics("apache2", [](const directives::LogRecord&) {});
  const auto result = directives::compile_config(options, diagnostics);
  {
    const LogSet set = LogSet::open(*result.config);
    ASSERT_EQ(set.size(), 3u);
    FakeRequest r;
    r.view.path = "/x";
    r.view.status = 200;
    for (std::size_t i = 0; i < set.size(); ++i) {
      r.view.server_name = i == 0 ? "main.example" : i == 1 ? "own.example" : "inherit.example";
      set.server(i).log_request(r.view);
    }
    EXPECT_TRUE(set.server(1).levels.enabled(mod::core, kDebug));
    EXPECT_FALSE(set.server(2).levels.enabled(mod::core, kDebug));
    set.server(1).error_log->log(set.server(1).levels, ErrorEvent{mod::core, kError}, "vhost {}", "own");
    set.server(2).error_log->log(set.server(2).levels, ErrorEvent{mod::core, kError}, "vhost {}", "inherit");
  }
  EXPECT_EQ(slurp(dir + "/main.log"), "main.example /x\ninherit.example /x\n");
  EXPECT_EQ(slurp(dir + "/global.log"), "main.example G\nown.example G\ninherit.example G\n");
  EXPECT_EQ(slurp(dir + "/own.log"), "own.example O\n");
  EXPECT_EQ(slurp(dir + "/piped.log"), "/x 200\n/x 200\n");
  EXPECT_NE(slurp(dir + "/own-error.log").find("] [core:error] [pid "), std::string::npos);
  EXPECT_NE(slurp(dir + "/own-error.log").find("vhost own\n"), std::string::npos);
  EXPECT_NE(slurp(dir + "/error.log").find("vhost inherit\n"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(LogSet, ReopenAfterRotationAndDefaultErrorLog) {
  char tmpl[] = "/tmp/bd-logging-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  std::filesystem::create_directories(dir + "/logs");
  const std::string conf = dir + "/x.conf";
  // No ErrorLog: Apache's default ServerRoot/logs/error_log. TransferLog uses the unnamed LogFormat.
  std::ofstream(conf) << "ServerRoot " << dir << "\n"
                      << "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
                      << "ServerName main.example\nLogFormat \"T %U\"\nTransferLog logs/access.log\n";
  parser::ReadOptions options;
  options.server_root = dir;
  options.config_file = conf;
  directives::Diagnostics diagnostics("apache2", [](const directives::LogRecord&) {});
  const auto result = directives::compile_config(options, diagnostics);
  const LogSet set = LogSet::open(*result.config);
  FakeRequest r;
  r.view.path = "/one";
  set.main().log_request(r.view);
  std::filesystem::rename(dir + "/logs/access.log", dir + "/logs/access.log.1");
  set.reopen();
  r.view.path = "/two";
  set.main().log_request(r.view);
  set.main().error_log->log(set.main().levels, ErrorEvent{mod::core, kEmerg}, "AH00000: {}", "x");
  EXPECT_EQ(slurp(dir + "/logs/access.log.1"), "T /one\n");
  EXPECT_EQ(slurp(dir + "/logs/access.log"), "T /two\n");
  EXPECT_NE(slurp(dir + "/logs/error_log").find("] [core:emerg] [pid "), std::string::npos);
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace balancerd::log::testing
