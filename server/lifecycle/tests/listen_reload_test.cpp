// Listen changes on a graceful reload (SIGUSR1) and a restart (SIGHUP), run_server in a child
// process: an added address answers (with its IP-based virtual host), a removed one refuses, an
// unchanged one keeps serving, and a new address that cannot be bound leaves the running
// configuration in place with Apache's AH00072 line in the error log (apache2 would exit there).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "server/lifecycle/run_server.hpp"
#include "server/lifecycle/tests/proc_files.hpp"
#include "server/lifecycle/tests/run_server_harness.hpp"
#include "server/lifecycle/tests/test_get.hpp"
#include "server/lifecycle/tests/test_port.hpp"

namespace fs = std::filesystem;
using namespace balancerd;
using testing_support::eventually;
using testing_support::get;
using testing_support::ReservedPort;
using testing_support::slurp;

namespace {

void write_config(const fs::path& dir, const std::string& listen_and_more) {
  std::ofstream c(dir / "server.conf", std::ios::trunc);
  c << "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
    << "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
    << "ServerName localhost\n"
    << testing_support::server_files(dir) << listen_and_more;
}

std::string listen_line(unsigned short port) {
  return "Listen 127.0.0.1:" + std::to_string(port) + "\n";
}

// An IP-based virtual host on `port`: requests there are redirected, so the answer shows that the
// vhost was chosen by the connection's local address.
std::string vhost_on(unsigned short port) {
  return "<VirtualHost 127.0.0.1:" + std::to_string(port) + ">\n  Redirect /a.txt http://example.com/v\n" +
         "</VirtualHost>\n";
}

// A port reserved for an address the server binds after its privilege drop: when this test runs
// as root the server binds as www-data, and SO_REUSEPORT only shares a port between sockets of the
// same user, so the reserving socket is made as www-data too.
std::unique_ptr<ReservedPort> reserve_for_server_user() {
  if (::geteuid() != 0) return std::make_unique<ReservedPort>();
  const passwd* pw = ::getpwnam("www-data");
  if (!pw) return nullptr;
  if (::seteuid(pw->pw_uid) != 0) return nullptr;
  auto r = std::make_unique<ReservedPort>();
  if (::seteuid(0) != 0) std::abort(); // the test cannot go on as another user
  return r;
}

bool is_redirect(const std::string& r) {
  return r.rfind("HTTP/1.1 302", 0) == 0 &&
         r.find("\r\nLocation: http://example.com/v\r\n") != std::string::npos;
}
bool is_file(const std::string& r) {
  return r.rfind("HTTP/1.1 200 OK\r\n", 0) == 0 && r.find("\r\n\r\nhello\n") != std::string::npos;
}

} // namespace

TEST(LifecycleListenReload, AddsRemovesAndKeepsRunningOnBindFailure) {
  if (!fs::exists("/usr/lib/apache2/modules/mod_mpm_event.so")) GTEST_SKIP() << "no Apache modules";
  fs::path dir = fs::temp_directory_path() / ("bd-listen-reload-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "htdocs");
  std::ofstream(dir / "htdocs" / "a.txt") << "hello\n";
  const ReservedPort first; // bound at start, before any privilege drop
  auto second = reserve_for_server_user();
  if (!second) GTEST_SKIP() << "running as root without a www-data user";
  ASSERT_NE(first.port(), 0);
  ASSERT_NE(second->port(), 0);
  const unsigned short p1 = first.port(), p2 = second->port();
  // The virtual host is there from the start: this test is about the sockets, not about the logs
  // a reload adding a server opens (privileged_reload_test.cpp).
  write_config(dir, listen_line(p1) + vhost_on(p2));

  const parser::ReadOptions read = testing_support::read_options(dir);
  const directives::CompileResult compiled = testing_support::compile(read);

  const pid_t child = testing_support::fork_server(read, compiled, 2);
  ASSERT_GE(child, 0);
  ASSERT_TRUE(eventually([&] { return is_file(get(p1, "/a.txt")); }));
  EXPECT_TRUE(get(p2, "/a.txt").empty());

  // graceful reload adding p2, where the virtual host is: p1 (unchanged) still serves the main host
  write_config(dir, listen_line(p1) + listen_line(p2) + vhost_on(p2));
  ::kill(child, SIGUSR1);
  EXPECT_TRUE(eventually([&] { return is_redirect(get(p2, "/a.txt")); })) << get(p2, "/a.txt");
  EXPECT_TRUE(is_file(get(p1, "/a.txt"))) << get(p1, "/a.txt");

  // restart (SIGHUP) dropping p1: it refuses, p2 goes on
  write_config(dir, listen_line(p2) + vhost_on(p2));
  ::kill(child, SIGHUP);
  EXPECT_TRUE(eventually([&] { return get(p1, "/a.txt").empty(); }));
  EXPECT_TRUE(is_redirect(get(p2, "/a.txt")));

  // a new address held by another program: the reload is refused, the running set stays
  int busy = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(busy, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ::listen(busy, 1);
  socklen_t len = sizeof sa;
  ::getsockname(busy, reinterpret_cast<sockaddr*>(&sa), &len);
  const unsigned short p3 = ntohs(sa.sin_port);
  write_config(dir, listen_line(p2) + listen_line(p3) + vhost_on(p2) + "ServerTokens Prod\n");
  ::kill(child, SIGUSR1);
  const std::string bind_error =
      "(98)Address already in use: AH00072: make_sock: could not bind to address 127.0.0.1:" +
      std::to_string(p3) + "\n";
  EXPECT_TRUE(eventually([&] { return slurp(dir / "error.log").find(bind_error) != std::string::npos; }))
      << slurp(dir / "error.log");
  EXPECT_TRUE(eventually([&] {
    return slurp(dir / "error.log").find("graceful restart failed, keeping the running configuration") !=
           std::string::npos;
  }));
  ::close(busy);
  std::string r = get(p2, "/a.txt");
  EXPECT_TRUE(is_redirect(r)) << r;
  EXPECT_NE(r.find("\r\nServer: Apache/2.4.71 (Debian)\r\n"), std::string::npos) << r; // not Prod

  int status = -1;
  ASSERT_EQ(testing_support::signal_and_wait(child, SIGTERM, status), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(get(p2, "/a.txt").empty());
  fs::remove_all(dir);
}
