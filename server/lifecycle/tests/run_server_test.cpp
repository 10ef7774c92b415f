// run_server in a child process: listens on a loopback port, writes the PidFile, serves a file,
// takes a new configuration on SIGUSR1 (and keeps the old one when the new one is broken), stops on
// SIGTERM and removes the PidFile. Ports are reserved for the whole test (test_port.hpp): a port
// merely found free and released could be taken by a parallel test whose server also binds with
// SO_REUSEPORT, and requests would then reach the wrong server.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "server/lifecycle/run_server.hpp"
#include "server/lifecycle/tests/proc_files.hpp"
#include "server/lifecycle/tests/run_server_harness.hpp"
#include "server/lifecycle/tests/test_get.hpp"
#include "server/lifecycle/tests/test_port.hpp"

namespace fs = std::filesystem;
using namespace balancerd;

namespace {

using testing_support::eventually;
using testing_support::get;

void write_config(const fs::path& dir, unsigned short port, const std::string& extra) {
  std::ofstream c(dir / "server.conf", std::ios::trunc);
  c << "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
    << "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
    << "ServerName localhost\n"
    << "Listen 127.0.0.1:" << port << "\n"
    << testing_support::server_files(dir) << extra;
}

} // namespace

TEST(LifecycleRunServer, ServesReloadsAndStops) {
  if (!fs::exists("/usr/lib/apache2/modules/mod_mpm_event.so")) GTEST_SKIP() << "no Apache modules";
  fs::path dir = fs::temp_directory_path() / ("bd-lifecycle-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "htdocs");
  std::ofstream(dir / "htdocs" / "a.txt") << "hello world\n";
  const testing_support::ReservedPort reserved; // held until the test ends: no other test gets it
  ASSERT_NE(reserved.port(), 0);
  const unsigned short port = reserved.port();
  write_config(dir, port, "");

  const parser::ReadOptions read = testing_support::read_options(dir);
  const directives::CompileResult compiled = testing_support::compile(read);

  const pid_t child = testing_support::fork_server(read, compiled, 2);
  ASSERT_GE(child, 0);
  const fs::path pid_file = dir / "httpd.pid";
  ASSERT_TRUE(eventually([&] { return !get(port, "/a.txt").empty(); }));
  EXPECT_TRUE(fs::exists(pid_file));
  std::string r = get(port, "/a.txt");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("\r\n\r\nhello world\n"), std::string::npos);
  EXPECT_NE(get(port, "/missing").find("404 Not Found"), std::string::npos);

  EXPECT_NE(r.find("\r\nServer: Apache/2.4.71 (Debian)\r\n"), std::string::npos) << r;

  // graceful reload with a new rule, and new connection-level settings (ServerTokens is applied by
  // the connection, not the per-request snapshot): new connections get both
  write_config(dir, port, "Redirect /a.txt http://example.com/b\nServerTokens Prod\n");
  ::kill(child, SIGUSR1);
  EXPECT_TRUE(eventually([&] { return get(port, "/a.txt").rfind("HTTP/1.1 302", 0) == 0; }));
  r = get(port, "/a.txt");
  EXPECT_NE(r.find("\r\nServer: Apache\r\n"), std::string::npos) << r;

  // a broken config is refused: the running one stays
  write_config(dir, port, "NoSuchDirective here\n");
  ::kill(child, SIGUSR1);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(get(port, "/a.txt").rfind("HTTP/1.1 302", 0), 0u);

  int status = -1;
  ASSERT_EQ(testing_support::signal_and_wait(child, SIGTERM, status), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // removed by the process itself, or (started as root) by its root-owned helper just after
  EXPECT_TRUE(eventually([&] { return !fs::exists(pid_file); }));
  EXPECT_TRUE(get(port, "/a.txt").empty());
  fs::remove_all(dir);
}

// One io loop is one thread: the loop runs on the thread that called run_server, with the signals
// read there (a process that shares its descriptor table with no other thread saves the kernel a
// reference count on every socket call). A reload's thread comes and goes; two loops are two threads.
TEST(LifecycleRunServer, OneIoLoopIsOneThreadAcrossReloads) {
  if (!fs::exists("/usr/lib/apache2/modules/mod_mpm_event.so")) GTEST_SKIP() << "no Apache modules";
  fs::path dir = fs::temp_directory_path() / ("bd-lifecycle-one-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "htdocs");
  std::ofstream(dir / "htdocs" / "a.txt") << "hello world\n";
  const testing_support::ReservedPort reserved;
  ASSERT_NE(reserved.port(), 0);
  const unsigned short port = reserved.port();
  for (unsigned threads : {1u, 2u}) {
    write_config(dir, port, "");
    const parser::ReadOptions read = testing_support::read_options(dir);
    const pid_t child = testing_support::fork_server(read, testing_support::compile(read), threads);
    ASSERT_GE(child, 0);
    ASSERT_TRUE(eventually([&] { return get(port, "/a.txt").rfind("HTTP/1.1 200 OK\r\n", 0) == 0; }));
    EXPECT_EQ(testing_support::thread_count(child), threads);
    // SIGHUP, then SIGUSR1: each reload is applied and its thread ends
    write_config(dir, port, "Redirect /a.txt http://example.com/b\n");
    ::kill(child, SIGHUP);
    EXPECT_TRUE(eventually([&] { return get(port, "/a.txt").rfind("HTTP/1.1 302", 0) == 0; }));
    write_config(dir, port, "");
    ::kill(child, SIGUSR1);
    EXPECT_TRUE(eventually([&] { return get(port, "/a.txt").rfind("HTTP/1.1 200 OK\r\n", 0) == 0; }));
    EXPECT_TRUE(eventually([&] { return testing_support::thread_count(child) == threads; }))
        << testing_support::thread_count(child);
    // a refused reload leaves no thread behind either
    write_config(dir, port, "NoSuchDirective here\n");
    ::kill(child, SIGUSR1);
    EXPECT_TRUE(eventually([&] {
      return testing_support::slurp(dir / "error.log").find("graceful restart failed") != std::string::npos;
    }));
    EXPECT_TRUE(eventually([&] { return testing_support::thread_count(child) == threads; }));
    EXPECT_EQ(get(port, "/a.txt").rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    int status = -1;
    ASSERT_EQ(testing_support::signal_and_wait(child, SIGTERM, status), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_TRUE(get(port, "/a.txt").empty());
    fs::remove(dir / "error.log");
  }
  fs::remove_all(dir);
}

TEST(LifecycleRunServer, BindFailureExitsOne) {
  if (!fs::exists("/usr/lib/apache2/modules/mod_mpm_event.so")) GTEST_SKIP() << "no Apache modules";
  fs::path dir = fs::temp_directory_path() / ("bd-lifecycle-bind-" + std::to_string(::getpid()));
  fs::create_directories(dir / "htdocs");
  // hold a port without SO_REUSEPORT so the server cannot bind it
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ::listen(s, 1);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  write_config(dir, ntohs(a.sin_port), "");
  const parser::ReadOptions read = testing_support::read_options(dir);
  auto compiled = testing_support::compile(read);
  lifecycle::RunOptions o;
  o.threads = 1;
  testing::internal::CaptureStderr();
  int rc = lifecycle::run_server(compiled, o);
  std::string err = testing::internal::GetCapturedStderr();
  ::close(s);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("(98)Address already in use: AH00072: make_sock: could not bind to address 127.0.0.1:"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("no listening sockets available, shutting down\nAH00015: Unable to open logs"),
            std::string::npos);
  fs::remove_all(dir);
}

// SIGWINCH (apache2 -k graceful-stop): exit 0 once in-flight work is done; the ErrorLog gets
// Apache's start and stop notices, and the access log the request served before.
TEST(LifecycleRunServer, GracefulStopOnSigwinchWritesLogs) {
  if (!fs::exists("/usr/lib/apache2/modules/mod_mpm_event.so")) GTEST_SKIP() << "no Apache modules";
  fs::path dir = fs::temp_directory_path() / ("bd-lifecycle-winch-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "htdocs");
  std::ofstream(dir / "htdocs" / "a.txt") << "hello world\n";
  const testing_support::ReservedPort reserved; // held until the test ends: no other test gets it
  ASSERT_NE(reserved.port(), 0);
  const unsigned short port = reserved.port();
  write_config(dir, port,
               "GracefulShutdownTimeout 3\nLogFormat \"%>s %U\" s\nCustomLog " +
                   (dir / "access.log").string() + " s\n");
  const parser::ReadOptions read = testing_support::read_options(dir);
  const directives::CompileResult compiled = testing_support::compile(read);
  const pid_t child = testing_support::fork_server(read, compiled, 1);
  ASSERT_GE(child, 0);
  ASSERT_TRUE(eventually([&] { return !get(port, "/a.txt").empty(); }));
  int status = -1;
  ASSERT_EQ(testing_support::signal_and_wait(child, SIGWINCH, status), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream elog(dir / "error.log");
  std::string text((std::istreambuf_iterator<char>(elog)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("configured -- resuming normal operations"), std::string::npos) << text;
  EXPECT_NE(text.find("AH00492: caught SIGWINCH, shutting down gracefully"), std::string::npos) << text;
  std::ifstream alog(dir / "access.log");
  std::string first;
  std::getline(alog, first);
  EXPECT_EQ(first, "200 /a.txt");
  fs::remove_all(dir);
}
