// LogLevel: tables from the model (compiled from real config text), Apache's per-directory merge, and
// the promise that a disabled level does no formatting work at all.
#include "directives/compile.hpp"
#include "server/log/error_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace balancerd::log {
namespace {

int g_formatted = 0;

// An argument type whose formatting is observable.
struct Costly {
  int value;
};

} // namespace
} // namespace balancerd::log

template <> struct fmt::formatter<balancerd::log::Costly> : fmt::formatter<int> {
  auto format(const balancerd::log::Costly& c, format_context& ctx) const {
    ++balancerd::log::g_formatted;
    return fmt::formatter<int>::format(c.value, ctx);
  }
};

namespace balancerd::log {
namespace {

// Records what reaches the destination.
class MemoryTarget : public LogTarget {
public:
  void write(std::string_view lines, int level) override {
    data += lines;
    last_level = level;
    ++writes;
  }
  std::string data;
  int last_level = -2;
  int writes = 0;
};

TEST(LogLevel, NamesAndModuleSpellings) {
  EXPECT_EQ(level_name(kTrace5), "trace5");
  EXPECT_EQ(level_name(kEmerg), "emerg");
  EXPECT_EQ(level_name(16), "");
  EXPECT_EQ(module_index("proxy"), mod::proxy);
  EXPECT_EQ(module_index("proxy_module"), mod::proxy);
  EXPECT_EQ(module_index("mod_proxy_balancer.c"), mod::proxy_balancer);
  EXPECT_EQ(module_index("http_module"), mod::http);
  EXPECT_FALSE(module_index("nosuch_module"));
  EXPECT_EQ(module_name(mod::lbmethod_byrequests), "lbmethod_byrequests");
}

TEST(LogLevel, TableFromConfWithModuleOverrides) {
  directives::LogLevelConf conf;
  conf.level = kWarn;
  conf.modules["proxy_module"] = kTrace5;
  conf.modules["ssl_module"] = kCrit;
  const LevelTable t = LevelTable::from(conf);
  EXPECT_TRUE(t.enabled(mod::proxy, kTrace5));
  EXPECT_FALSE(t.enabled(mod::proxy, kTrace6));
  EXPECT_TRUE(t.enabled(mod::core, kWarn));
  EXPECT_FALSE(t.enabled(mod::core, kNotice));
  EXPECT_FALSE(t.enabled(mod::ssl, kError));
  EXPECT_EQ(t.max_level(), kTrace5);
  EXPECT_EQ(LevelTable().level(mod::core), kWarn); // Apache's default
}

TEST(LogLevel, SectionMergeLikeApache) {
  directives::LogLevelConf server;
  server.level = kWarn;
  server.modules["proxy_module"] = kTrace2;
  directives::LogLevelConf only_module;
  only_module.modules["core_module"] = kInfo;
  auto merged = merge_log_level(server, only_module);
  EXPECT_EQ(merged.level, kWarn);
  EXPECT_EQ(merged.modules.at("proxy_module"), kTrace2);
  EXPECT_EQ(merged.modules.at("core_module"), kInfo);
  // A bare level in the section replaces everything (the capture: <Location /quiet> LogLevel crit
  // silenced the server's proxy:trace2 and core:info).
  directives::LogLevelConf bare;
  bare.level = kCrit;
  const LevelTable t = LevelTable::from(merge_log_level(server, bare));
  EXPECT_FALSE(t.enabled(mod::proxy, kError));
  EXPECT_TRUE(t.enabled(mod::proxy, kCrit));
  EXPECT_EQ(merge_log_level(server, {}), server);
}

TEST(LogLevel, FromCompiledConfig) {
  char tmpl[] = "/tmp/bd-logging-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  const std::string conf = dir + "/x.conf";
  std::ofstream(conf) << "ServerRoot " << dir << "\n"
                      << "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
                      << "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\n"
                      << "ServerName main.example\nErrorLog " << dir << "/error.log\n"
                      << "LogLevel warn proxy:trace5\n"
                      << "<VirtualHost *:80>\nServerName v.example\nLogLevel info\n</VirtualHost>\n";
  parser::ReadOptions options;
  options.server_root = dir;
  options.config_file = conf;
  directives::Diagnostics diagnostics("apache2", [](const directives::LogRecord&) {});
  const auto result = directives::compile_config(options, diagnostics);
  const auto& main_levels = result.config->main.dir.core->log_level;
  const LevelTable m = LevelTable::from(main_levels);
  EXPECT_TRUE(m.enabled(mod::proxy, kTrace5));
  EXPECT_FALSE(m.enabled(mod::core, kNotice));
  const LevelTable v =
      LevelTable::from(merge_log_level(main_levels, result.config->vhosts.at(0).dir.core->log_level));
  EXPECT_TRUE(v.enabled(mod::core, kInfo));
  EXPECT_FALSE(v.enabled(mod::proxy, kDebug));
  std::filesystem::remove_all(dir);
}

TEST(LogLevel, DisabledLevelFormatsNothing) {
  auto target = std::make_shared<MemoryTarget>();
  const ErrorLog elog(target, std::nullopt, LevelTable(kWarn));
  const LevelTable& levels = elog.levels();
  g_formatted = 0;
  const unsigned long lines_before = ErrorLog::lines_formatted();
  for (int i = 0; i < 1000; ++i)
    BD_ERROR_LOG(elog, levels, mod::proxy, kDebug, nullptr, "AH00944: connecting {} to {}", Costly{i},
                 Costly{i});
  EXPECT_EQ(g_formatted, 0);
  EXPECT_EQ(ErrorLog::lines_formatted(), lines_before);
  EXPECT_EQ(target->writes, 0);
  BD_ERROR_LOG(elog, levels, mod::proxy, kError, nullptr, "AH00957: http: attempt to connect to {} failed",
               Costly{7});
  EXPECT_EQ(g_formatted, 1);
  EXPECT_EQ(target->writes, 1);
  EXPECT_EQ(target->last_level, kError);
  EXPECT_NE(target->data.find("] [proxy:error] [pid "), std::string::npos);
  EXPECT_NE(target->data.find("] AH00957: http: attempt to connect to 7 failed\n"), std::string::npos);
  EXPECT_EQ(target->data.find("log_level_test.cpp"), std::string::npos); // source only at debug and up
}

TEST(LogLevel, PerRequestLevelsOverrideTheServers) {
  auto target = std::make_shared<MemoryTarget>();
  const ErrorLog elog(target, std::nullopt, LevelTable(kWarn));
  directives::LogLevelConf loud;
  loud.level = kWarn;
  loud.modules["proxy_module"] = kDebug;
  const LevelTable dir = LevelTable::from(loud);
  BD_ERROR_LOG(elog, dir, mod::proxy, kDebug, nullptr, "AH01143: Running scheme {} handler", "http");
  EXPECT_NE(target->data.find("[proxy:debug]"), std::string::npos);
  EXPECT_NE(target->data.find("log_level_test.cpp("), std::string::npos); // %7F at debug
  EXPECT_NE(target->data.find("AH01143: Running scheme http handler\n"), std::string::npos);
}

TEST(LogLevel, ErrorLogFormatIsUsedWhenSet) {
  auto target = std::make_shared<MemoryTarget>();
  const ErrorLog elog(target, std::string("%l|%m|%M"), LevelTable(kWarn), "main.example");
  elog.log(elog.levels(), ErrorEvent{mod::core, kError}, "x{}", 1);
  EXPECT_EQ(target->data, "error|core|x1\n");
  EXPECT_THROW(ErrorLog(target, std::string("%Z"), LevelTable()), std::invalid_argument);
}

} // namespace
} // namespace balancerd::log
