// The balancerd program as a daemon, driven as apache2 is: `-k start` detaches and returns once the
// daemon serves (PidFile written by the daemon), `-k graceful`/`restart` reload it in place,
// `-k stop`/`graceful-stop` end it and the PidFile goes; tools/balancerctl does the same. Also what
// the daemon logs per request: CustomLog expr= and env=! conditions, HostnameLookups for %h and
// a <Location>'s own LogLevel. Every wait is bounded; the only process ever killed is the daemon
// this test started (by the pid it wrote), and only if it outlives the test.
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/lifecycle/tests/proc_files.hpp"
#include "server/lifecycle/tests/test_get.hpp"
#include "server/lifecycle/tests/test_port.hpp"

namespace fs = std::filesystem;
using balancerd::testing_support::slurp;

namespace {

fs::path balancerd_binary() {
  return fs::read_symlink("/proc/self/exe").parent_path() / "balancerd";
}

fs::path balancerctl_script() {
  return fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path() / "tools" / "balancerctl";
}

// The lines of a log, sorted: each line is written after its response went out, so two requests in
// a row may be logged in either order.
std::vector<std::string> sorted_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::sort(lines.begin(), lines.end());
  return lines;
}

template <class F> bool eventually(F f, int tries = 250) {
  for (int i = 0; i < tries; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Alive and not a zombie (a detached daemon's reaper may be slow, or absent in a container).
bool alive(long pid) {
  if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0) return false;
  std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

struct Ran {
  int status = -1; // exit status, -1 if it had to be killed
  std::string out, err;
};

// Runs argv with stdout/stderr to files and `env` added; waits at most 15 s.
Ran run(const std::vector<std::string>& argv, const fs::path& dir, const std::vector<std::string>& env = {}) {
  const fs::path out = dir / "cmd.out", err = dir / "cmd.err";
  const pid_t child = ::fork();
  if (child == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  Ran r;
  int status = 0;
  bool done = false;
  for (int i = 0; i < 750 && !done; ++i) {
    if (::waitpid(child, &status, WNOHANG) == child) {
      done = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!done) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
  } else if (WIFEXITED(status)) {
    r.status = WEXITSTATUS(status);
  }
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

using balancerd::testing_support::get;

long read_pid(const fs::path& pid_file) {
  std::ifstream in(pid_file);
  long pid = 0;
  in >> pid;
  return pid;
}

// What getnameinfo calls 127.0.0.1 ("localhost" with a usual /etc/hosts).
std::string loopback_name() {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&a), sizeof a, host, sizeof host, nullptr, 0, NI_NAMEREQD) != 0)
    return "127.0.0.1";
  return host;
}

class Daemon : public ::testing::Test {
protected:
  void SetUp() override {
    if (!fs::exists("/usr/lib/apache2/modules/mod_mpm_event.so")) GTEST_SKIP() << "no Apache modules";
    if (!fs::exists(balancerd_binary())) GTEST_SKIP() << "balancerd is not built next to this test";
    ASSERT_NE(port_.port(), 0);
    dir_ = fs::temp_directory_path() / ("bd-daemon-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "htdocs");
    std::ofstream(dir_ / "htdocs" / "a.txt") << "hello world\n";
    std::ofstream(dir_ / "htdocs" / "health") << "ok\n";
  }
  void TearDown() override {
    // only the daemon this test started, if a failed expectation left it running
    if (started_pid_ > 0 && alive(started_pid_)) ::kill(static_cast<pid_t>(started_pid_), SIGKILL);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void write_config(const std::string& extra, const std::string& name = "server.conf") {
    std::ofstream c(dir_ / name, std::ios::trunc);
    c << "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
      << "LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n"
      << "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
      << "LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so\n"
      << "ServerName localhost\n"
      << "Listen 127.0.0.1:" << port_.port() << "\n"
      << "PidFile " << pid_file().string() << "\n"
      << "ErrorLog " << (dir_ / "error.log").string() << "\n"
      << "DocumentRoot " << (dir_ / "htdocs").string() << "\n"
      << extra;
  }
  Ran balancerd(const std::string& verb) {
    return run({balancerd_binary().string(), "-d", dir_.string(), "-f", "server.conf", "-k", verb}, dir_);
  }
  fs::path pid_file() const { return dir_ / "httpd.pid"; }
  unsigned short port() const { return port_.port(); }

  balancerd::testing_support::ReservedPort port_;
  fs::path dir_;
  long started_pid_ = 0;
};

} // namespace

TEST_F(Daemon, StartGracefulRestartStop) {
  write_config("");
  Ran start = balancerd("start");
  ASSERT_EQ(start.status, 0) << start.err;
  // the command returned once the daemon served: its pid is recorded and it answers at once
  const long pid = read_pid(pid_file());
  started_pid_ = pid;
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(alive(pid));
  std::string r = get(port(), "/a.txt");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("\r\n\r\nhello world\n"), std::string::npos);
  // detached: its own session, not the test's
  EXPECT_EQ(::getsid(static_cast<pid_t>(pid)), static_cast<pid_t>(pid));
  // its stdout is gone, its stderr is the ErrorLog
  const fs::path fds = "/proc/" + std::to_string(pid) + "/fd";
  EXPECT_EQ(fs::read_symlink(fds / "1"), "/dev/null");
  EXPECT_EQ(fs::read_symlink(fds / "2"), dir_ / "error.log");

  Ran again = balancerd("start");
  EXPECT_EQ(again.status, 0);
  EXPECT_EQ(again.out, "httpd (pid " + std::to_string(pid) + ") already running\n");

  write_config("Redirect /a.txt http://example.com/b\n");
  Ran graceful = balancerd("graceful");
  EXPECT_EQ(graceful.status, 0) << graceful.err;
  EXPECT_TRUE(eventually([&] { return get(port(), "/a.txt").rfind("HTTP/1.1 302", 0) == 0; }));
  EXPECT_EQ(read_pid(pid_file()), pid);

  write_config("");
  Ran restart = balancerd("restart");
  EXPECT_EQ(restart.status, 0) << restart.err;
  EXPECT_TRUE(eventually([&] { return get(port(), "/a.txt").rfind("HTTP/1.1 200", 0) == 0; }));
  EXPECT_EQ(read_pid(pid_file()), pid);

  Ran stop = balancerd("stop");
  EXPECT_EQ(stop.status, 0) << stop.err;
  EXPECT_TRUE(eventually([&] { return !alive(pid); }));
  EXPECT_TRUE(eventually([&] { return !fs::exists(pid_file()); }));
  EXPECT_TRUE(get(port(), "/a.txt").empty());

  Ran stopped = balancerd("stop");
  EXPECT_EQ(stopped.status, 0);
  EXPECT_EQ(stopped.out, "httpd (no pid file) not running\n");
  const std::string elog = slurp(dir_ / "error.log");
  EXPECT_NE(elog.find("[mpm_event:notice]"), std::string::npos) << elog;
  EXPECT_NE(elog.find("[core:notice] [pid " + std::to_string(pid) + ":tid " + std::to_string(pid) +
                      "] AH00094: Command line: '" + balancerd_binary().string() + " -d " + dir_.string() +
                      " -f server.conf'\n"),
            std::string::npos)
      << elog;
  EXPECT_NE(elog.find("AH00493: SIGUSR1 received.  Doing graceful restart"), std::string::npos) << elog;
  EXPECT_NE(elog.find("AH00494: SIGHUP received.  Attempting to restart"), std::string::npos) << elog;
  EXPECT_NE(elog.find("AH00491: caught SIGTERM, shutting down"), std::string::npos) << elog;
}

// An error before serving is the command's: on its stderr, exit status 1, no daemon left.
TEST_F(Daemon, StartupErrorIsReportedByTheStartingCommand) {
  int held = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(held, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(held, 1), 0);
  socklen_t len = sizeof a;
  ::getsockname(held, reinterpret_cast<sockaddr*>(&a), &len);
  write_config("Listen 127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "\n");
  Ran start = balancerd("start");
  ::close(held);
  EXPECT_EQ(start.status, 1);
  EXPECT_NE(
      start.err.find("(98)Address already in use: AH00072: make_sock: could not bind to address 127.0.0.1:" +
                     std::to_string(ntohs(a.sin_port))),
      std::string::npos)
      << start.err;
  EXPECT_FALSE(fs::exists(pid_file()));
  EXPECT_TRUE(get(port(), "/a.txt").empty());
}

// A daemon whose pid cannot be recorded could not be stopped: it gives up, and the starting command
// says why and fails.
TEST_F(Daemon, UnwritablePidFileFailsTheStart) {
  write_config("PidFile " + (dir_ / "no-such-dir" / "httpd.pid").string() + "\n");
  Ran start = balancerd("start");
  EXPECT_EQ(start.status, 1);
  EXPECT_NE(start.err.find("AH00099: could not create " + (dir_ / "no-such-dir" / "httpd.pid").string()),
            std::string::npos)
      << start.err;
  EXPECT_NE(start.err.find("AH00100: balancerd: could not log pid to file"), std::string::npos) << start.err;
  EXPECT_TRUE(eventually([&] { return get(port(), "/a.txt").empty(); }));
}

TEST_F(Daemon, BalancerctlDrivesTheDaemon) {
  write_config("", "apache2.conf");
  const std::vector<std::string> env = {"BALANCERD=" + balancerd_binary().string(),
                                        "APACHE_CONFDIR=" + dir_.string(),
                                        "APACHE_ENVVARS=" + (dir_ / "no-envvars").string()};
  auto ctl = [&](const std::string& verb) {
    return run({"/bin/bash", balancerctl_script().string(), verb}, dir_, env);
  };
  Ran start = ctl("start");
  ASSERT_EQ(start.status, 0) << start.out << start.err;
  const long pid = read_pid(pid_file());
  started_pid_ = pid;
  EXPECT_TRUE(alive(pid));
  EXPECT_EQ(get(port(), "/a.txt").rfind("HTTP/1.1 200", 0), 0u);

  // a broken config never reaches the daemon: apache2ctl's configtest first
  write_config("NoSuchDirective x\n", "apache2.conf");
  Ran broken = ctl("graceful");
  EXPECT_EQ(broken.status, 1);
  EXPECT_NE(broken.out.find("Action 'graceful' failed."), std::string::npos) << broken.out;
  EXPECT_TRUE(alive(pid));

  write_config("Redirect /a.txt http://example.com/b\n", "apache2.conf");
  EXPECT_EQ(ctl("graceful").status, 0);
  EXPECT_TRUE(eventually([&] { return get(port(), "/a.txt").rfind("HTTP/1.1 302", 0) == 0; }));

  EXPECT_EQ(ctl("graceful-stop").status, 0);
  EXPECT_TRUE(eventually([&] { return !alive(pid); }));
  EXPECT_TRUE(eventually([&] { return !fs::exists(pid_file()); }));
  EXPECT_NE(slurp(dir_ / "error.log").find("AH00492: caught SIGWINCH, shutting down gracefully"),
            std::string::npos);
}

// Per-request logging in the daemon: CustomLog expr= and env=! conditions, HostnameLookups On for
// %h, and a <Location>'s LogLevel deciding which error-log lines its requests write.
TEST_F(Daemon, RequestLogging) {
  const std::string d = dir_.string();
  write_config("HostnameLookups On\n"
               "LogFormat \"%h %>s %U\" hostfmt\n"
               "CustomLog " +
               d +
               "/access.log hostfmt\n"
               "CustomLog " +
               d +
               "/notfound.log \"%>s %U\" \"expr=%{REQUEST_STATUS} == 404\"\n"
               "SetEnvIf Request_URI \"^/health\" dontlog\n"
               "CustomLog " +
               d +
               "/filtered.log \"%U\" env=!dontlog\n"
               "<Location /quiet>\n  LogLevel crit\n  Require all denied\n</Location>\n"
               "<Location /loud>\n  Require all denied\n</Location>\n"
               "<Location /chatty>\n  LogLevel info\n</Location>\n");
  Ran start = balancerd("start");
  ASSERT_EQ(start.status, 0) << start.err;
  started_pid_ = read_pid(pid_file());
  EXPECT_EQ(get(port(), "/a.txt").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(get(port(), "/missing").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(get(port(), "/health").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(get(port(), "/quiet").rfind("HTTP/1.1 403", 0), 0u);
  EXPECT_EQ(get(port(), "/loud").rfind("HTTP/1.1 403", 0), 0u);
  EXPECT_EQ(get(port(), "/chatty/nothing").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(get(port(), "/also-missing").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(balancerd("stop").status, 0);
  ASSERT_TRUE(eventually([&] { return !alive(started_pid_); }));

  const std::string host = loopback_name();
  using Lines = std::vector<std::string>;
  EXPECT_EQ(sorted_lines(slurp(dir_ / "access.log")),
            sorted_lines(host + " 200 /a.txt\n" + host + " 404 /missing\n" + host + " 200 /health\n" + host +
                         " 403 /quiet\n" + host + " 403 /loud\n" + host + " 404 /chatty/nothing\n" + host +
                         " 404 /also-missing\n"));
  EXPECT_EQ(sorted_lines(slurp(dir_ / "notfound.log")),
            (Lines{"404 /also-missing", "404 /chatty/nothing", "404 /missing"}));
  EXPECT_EQ(sorted_lines(slurp(dir_ / "filtered.log")),
            (Lines{"/a.txt", "/also-missing", "/chatty/nothing", "/loud", "/missing", "/quiet"}));
  const std::string elog = slurp(dir_ / "error.log");
  EXPECT_NE(elog.find("AH01630: client denied by server configuration: " + d + "/htdocs/loud"),
            std::string::npos)
      << elog;
  EXPECT_EQ(elog.find("/htdocs/quiet"), std::string::npos) << elog;
  // "[pid P:tid T]": T is the kernel's id of the thread that logged (gettid), as apache2 prints it
  const auto denied = elog.rfind('\n', elog.find("AH01630")) + 1;
  const auto tid_at = elog.find(":tid ", denied);
  ASSERT_NE(tid_at, std::string::npos) << elog;
  long long pid_max = 0;
  std::ifstream("/proc/sys/kernel/pid_max") >> pid_max;
  const long long tid = std::stoll(elog.substr(tid_at + 5));
  EXPECT_GT(tid, 0);
  EXPECT_LE(tid, pid_max > 0 ? pid_max : 4194304) << elog;
  EXPECT_NE(elog.find("AH00128: File does not exist: " + d + "/htdocs/chatty/nothing"), std::string::npos)
      << elog;
  EXPECT_EQ(elog.find("File does not exist: " + d + "/htdocs/also-missing"), std::string::npos) << elog;
}

// A section's bare LogLevel replaces the inherited levels, module levels included; a module level
// alone overlays them (checked against apache2: /x and /z log the refusal, /y does not).
TEST_F(Daemon, SectionLogLevelMergesAsApache) {
  write_config("LogLevel warn authz_core:crit\n"
               "<Location /x>\n  LogLevel error\n  Require all denied\n</Location>\n"
               "<Location /y>\n  Require all denied\n</Location>\n"
               "<Location /z>\n  LogLevel authz_core:error\n  Require all denied\n</Location>\n");
  Ran start = balancerd("start");
  ASSERT_EQ(start.status, 0) << start.err;
  started_pid_ = read_pid(pid_file());
  for (const char* path : {"/x", "/y", "/z"})
    EXPECT_EQ(get(port(), path).rfind("HTTP/1.1 403", 0), 0u) << path;
  EXPECT_EQ(balancerd("stop").status, 0);
  ASSERT_TRUE(eventually([&] { return !alive(started_pid_); }));
  const std::string elog = slurp(dir_ / "error.log");
  const std::string denied = "AH01630: client denied by server configuration: " + dir_.string() + "/htdocs";
  EXPECT_NE(elog.find(denied + "/x"), std::string::npos) << elog;
  EXPECT_EQ(elog.find(denied + "/y"), std::string::npos) << elog;
  EXPECT_NE(elog.find(denied + "/z"), std::string::npos) << elog;
}
