// Log destinations: append-only files with reopen, piped programs (spawned once, fed on stdin,
// restarted when they die), syslog facilities, Apache's open-failure text.
#include "server/log/file_target.hpp"
#include "server/log/piped_log.hpp"
#include "server/log/syslog_target.hpp"
#include "server/log/tests/log_test_files.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <syslog.h>
#include <thread>

namespace balancerd::log {
namespace {

using test_files::slurp;
using test_files::TempDir;

// Waits (bounded) until `path` holds `expected`.
bool wait_for_content(const std::string& path, const std::string& expected) {
  for (int i = 0; i < 300; ++i) {
    if (slurp(path) == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(LogTargets, FileAppendsToExistingContent) {
  TempDir d("bd-logging");
  std::ofstream(d.path("a.log")) << "old\n";
  {
    FileTarget f(d.path("a.log"), LogKind::Access);
    f.write("one\n");
    f.write("two\n");
  }
  EXPECT_EQ(slurp(d.path("a.log")), "old\none\ntwo\n");
}

TEST(LogTargets, ReopenFollowsRotation) {
  TempDir d("bd-logging");
  FileTarget f(d.path("a.log"), LogKind::Error);
  f.write("before\n");
  std::filesystem::rename(d.path("a.log"), d.path("a.log.1"));
  f.write("still old\n");
  f.reopen();
  f.write("after\n");
  EXPECT_EQ(slurp(d.path("a.log.1")), "before\nstill old\n");
  EXPECT_EQ(slurp(d.path("a.log")), "after\n");
}

TEST(LogTargets, OpenFailureUsesApacheText) {
  try {
    FileTarget f("/nonexistent-dir/x/error.log", LogKind::Error);
    FAIL();
  } catch (const LogOpenError& e) {
    EXPECT_STREQ(e.what(), "(2)No such file or directory: AH00091: balancerd: could not open error log file "
                           "/nonexistent-dir/x/error.log.");
  }
  try {
    FileTarget f("/nonexistent-dir/x/access.log", LogKind::Access);
    FAIL();
  } catch (const LogOpenError& e) {
    EXPECT_STREQ(e.what(), "(2)No such file or directory: AH00649: could not open transfer log file "
                           "/nonexistent-dir/x/access.log.");
  }
}

TEST(LogTargets, PipedArgvSplitting) {
  using V = std::vector<std::string>;
  EXPECT_EQ(PipedLog::program_argv("|/usr/bin/rotatelogs /var/log/x.%Y 86400"),
            (V{"/usr/bin/rotatelogs", "/var/log/x.%Y", "86400"}));
  EXPECT_EQ(PipedLog::program_argv("||prog \"a b\" 'c d' e\\ f"), (V{"prog", "a b", "c d", "e f"}));
  // Without "$" there is no shell: the capture shows cat receiving ">>" as a file name.
  EXPECT_EQ(PipedLog::program_argv("|/bin/cat >> /tmp/x"), (V{"/bin/cat", ">>", "/tmp/x"}));
  EXPECT_EQ(PipedLog::program_argv("|$/bin/cat >> /tmp/x"), (V{"/bin/sh", "-c", "/bin/cat >> /tmp/x"}));
}

TEST(LogTargets, PipedProgramReceivesLines) {
  TempDir d("bd-logging");
  {
    PipedLog p("|$exec /bin/cat >> " + d.path("piped.log"));
    EXPECT_GT(p.pid(), 0);
    EXPECT_EQ(p.command(), "exec /bin/cat >> " + d.path("piped.log"));
    p.write("/index.html 200\n");
    p.write("/refused/ 503\n");
  } // destructor closes the pipe and waits for cat to finish
  EXPECT_EQ(slurp(d.path("piped.log")), "/index.html 200\n/refused/ 503\n");
}

TEST(LogTargets, PipedProgramIsRestartedWhenItDies) {
  TempDir d("bd-logging");
  PipedLog p("|$exec /bin/cat >> " + d.path("piped.log"));
  p.write("first\n");
  ASSERT_TRUE(wait_for_content(d.path("piped.log"), "first\n"));
  const pid_t old = p.pid();
  ASSERT_EQ(::kill(old, SIGKILL), 0);
  bool restarted = false;
  for (int i = 0; i < 300 && !restarted; ++i) {
    restarted = p.restarts() == 1 && p.pid() != old && p.pid() > 0;
    if (!restarted) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(restarted);
  p.write("second\n");
  EXPECT_TRUE(wait_for_content(d.path("piped.log"), "first\nsecond\n"));
}

TEST(LogTargets, LinesWrittenWhileTheProgramIsDownAreKept) {
  TempDir d("bd-logging");
  PipedLog p("|$exec /bin/cat >> " + d.path("piped.log"));
  const pid_t old = p.pid();
  ::kill(old, SIGKILL);
  // Write only once the program is really dead (a zombie, or already reaped by the monitor).
  for (int i = 0; i < 300; ++i) {
    const std::string stat = slurp("/proc/" + std::to_string(old) + "/stat");
    const auto paren = stat.rfind(')');
    if (stat.empty() || (paren != std::string::npos && stat.substr(paren + 2, 1) == "Z")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  p.write("during\n"); // no SIGPIPE: the pipe stays open in this process
  EXPECT_TRUE(wait_for_content(d.path("piped.log"), "during\n"));
}

TEST(LogTargets, SyslogFacilitiesAndPriorities) {
  EXPECT_EQ(SyslogTarget::facility_value("local7"), LOG_LOCAL7);
  EXPECT_EQ(SyslogTarget::facility_value("daemon"), LOG_DAEMON);
  EXPECT_FALSE(SyslogTarget::facility_value("local9"));
  EXPECT_EQ(SyslogTarget::priority(0), LOG_EMERG);
  EXPECT_EQ(SyslogTarget::priority(4), LOG_WARNING);
  EXPECT_EQ(SyslogTarget::priority(7), LOG_DEBUG);
  EXPECT_EQ(SyslogTarget::priority(12), LOG_DEBUG); // trace5
  EXPECT_THROW(SyslogTarget("syslog:nope", "t"), LogOpenError);
  EXPECT_EQ(SyslogTarget("syslog", "t").facility(), LOG_LOCAL7);
  EXPECT_EQ(SyslogTarget("syslog:user", "t").facility(), LOG_USER);
}

TEST(LogTargets, FactoryPicksTheDestination) {
  TempDir d("bd-logging");
  EXPECT_TRUE(open_log_target("syslog:local1", LogKind::Error)->is_syslog());
  // mod_log_config has no syslog: a CustomLog "syslog" is a file.
  EXPECT_FALSE(open_log_target(d.path("syslog"), LogKind::Access)->is_syslog());
  EXPECT_NE(dynamic_cast<PipedLog*>(open_log_target("|/bin/cat", LogKind::Access).get()), nullptr);
  EXPECT_NE(dynamic_cast<FileTarget*>(open_log_target(d.path("f"), LogKind::Error).get()), nullptr);
}

} // namespace
} // namespace balancerd::log
