// RequestReadTimeout per virtual host, end to end (run_server in a child process, slow clients on
// loopback). As apache2 2.4.71 does it: the header stage is the connection's base server's (the
// vhost its local address selects, whatever Host the request names), the body stage is the
// request's name-based vhost's; a graceful reload gives new connections the new values.
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
#include <future>
#include <thread>

#include "server/lifecycle/run_server.hpp"
#include "server/lifecycle/tests/run_server_harness.hpp"
#include "server/lifecycle/tests/test_get.hpp"
#include "server/lifecycle/tests/test_port.hpp"

namespace fs = std::filesystem;
using namespace balancerd;
using testing_support::eventually;

namespace {

struct Slow {
  double seconds = -1; // until the server answered or closed
  std::string answer;
};

// Sends `bytes` (a request cut short) and waits for the server to answer or close.
Slow stall(unsigned short port, const std::string& bytes) {
  Slow out;
  int s = testing_support::connect_loopback(port, 8);
  if (s < 0) return out;
  const auto t0 = std::chrono::steady_clock::now();
  (void)!::write(s, bytes.data(), bytes.size());
  char buf[4096];
  ssize_t n = ::read(s, buf, sizeof buf);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (n > 0) out.answer.assign(buf, static_cast<std::size_t>(n));
  ::close(s);
  return out;
}

void write_config(const fs::path& dir, unsigned short p1, unsigned short p2, int p2_header) {
  std::ofstream c(dir / "server.conf", std::ios::trunc);
  c << "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
    << "LoadModule reqtimeout_module /usr/lib/apache2/modules/mod_reqtimeout.so\n"
    << "ServerName localhost\n"
    << "Listen 127.0.0.1:" << p1 << "\nListen 127.0.0.1:" << p2 << "\n"
    << testing_support::server_files(dir) << "Timeout 20\nRequestReadTimeout header=9 body=9\n"
    << "<VirtualHost 127.0.0.1:" << p1 << ">\n ServerName a.test\n RequestReadTimeout header=1 body=1\n"
    << "</VirtualHost>\n"
    << "<VirtualHost 127.0.0.1:" << p1 << ">\n ServerName b.test\n RequestReadTimeout header=4 body=3\n"
    << "</VirtualHost>\n"
    << "<VirtualHost 127.0.0.1:" << p2 << ">\n ServerName c.test\n RequestReadTimeout header=" << p2_header
    << " body=1\n</VirtualHost>\n";
}

bool is_408(const Slow& s) {
  return s.answer.rfind("HTTP/1.1 408 ", 0) == 0;
}

} // namespace

TEST(LifecycleRequestReadTimeout, HeaderFromTheAddressBodyFromTheNamedVhost) {
  if (!fs::exists("/usr/lib/apache2/modules/mod_reqtimeout.so")) GTEST_SKIP() << "no Apache modules";
  fs::path dir = fs::temp_directory_path() / ("bd-rrt-vhost-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "htdocs");
  std::ofstream(dir / "htdocs" / "a.txt") << "a\n";
  const testing_support::ReservedPort r1, r2;
  ASSERT_NE(r1.port(), 0);
  ASSERT_NE(r2.port(), 0);
  const unsigned short p1 = r1.port(), p2 = r2.port();
  write_config(dir, p1, p2, 2);

  const parser::ReadOptions read = testing_support::read_options(dir);
  const directives::CompileResult compiled = testing_support::compile(read);
  ASSERT_TRUE(compiled.config);

  const pid_t child = testing_support::fork_server(read, compiled, 2);
  ASSERT_GE(child, 0);
  ASSERT_TRUE(eventually([&] { return !testing_support::get(p1, "/a.txt").empty(); }));

  // all at once, so the test takes as long as the slowest stage (about 3 s)
  const std::string head_b = "GET /a.txt HTTP/1.1\r\nHost: b.test\r\nX-Slow: 1\r\n";
  const std::string body_b = "POST /a.txt HTTP/1.1\r\nHost: b.test\r\nContent-Length: 10\r\n\r\nab";
  const std::string body_a = "POST /a.txt HTTP/1.1\r\nHost: a.test\r\nContent-Length: 10\r\n\r\nab";
  auto header_p1 = std::async(std::launch::async, stall, p1, head_b); // base a.test: 1 s, not b.test's 4
  auto header_p2 = std::async(std::launch::async, stall, p2, head_b); // base c.test: 2 s
  auto body_p1b = std::async(std::launch::async, stall, p1, body_b);  // request's vhost b.test: 3 s
  auto body_p1a = std::async(std::launch::async, stall, p1, body_a);  // a.test: 1 s
  const Slow h1 = header_p1.get(), h2 = header_p2.get(), bb = body_p1b.get(), ba = body_p1a.get();
  EXPECT_TRUE(is_408(h1)) << h1.answer;
  EXPECT_TRUE(is_408(h2)) << h2.answer;
  EXPECT_TRUE(is_408(bb)) << bb.answer;
  EXPECT_TRUE(is_408(ba)) << ba.answer;
  EXPECT_GT(h1.seconds, 0.8);
  EXPECT_LT(h1.seconds, 1.8);
  EXPECT_GT(h2.seconds, 1.8);
  EXPECT_LT(h2.seconds, 2.8);
  EXPECT_GT(bb.seconds, 2.8);
  EXPECT_LT(bb.seconds, 3.8);
  EXPECT_GT(ba.seconds, 0.8);
  EXPECT_LT(ba.seconds, 1.8);

  // graceful reload: new connections to the second address get its new header stage
  write_config(dir, p1, p2, 1);
  ::kill(child, SIGUSR1);
  bool reloaded = false;
  for (int i = 0; i < 10 && !reloaded; ++i) {
    const Slow s = stall(p2, head_b);
    reloaded = is_408(s) && s.seconds < 1.6;
  }
  EXPECT_TRUE(reloaded);

  int status = -1;
  ASSERT_EQ(testing_support::signal_and_wait(child, SIGTERM, status), child);
  EXPECT_TRUE(WIFEXITED(status));
  fs::remove_all(dir);
}
