// drop_privileges as root: the process becomes www-data, and the thread that dropped keeps only
// CAP_NET_BIND_SERVICE, permitted but not effective (it serves requests like any io thread): a
// BindCapability raises it around a reload's bind, on that thread or on a thread it started later,
// while a thread that existed before the drop keeps nothing. Runs in a child process (the drop cannot
// be undone); skipped unless root.
#include <arpa/inet.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/lifecycle/privileges.hpp"

using namespace balancerd;

namespace {

// Binds 127.0.0.1:port (no listen); errno is kept for the caller.
bool can_bind(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// The calling thread's capability sets (the low word holds CAP_NET_BIND_SERVICE).
__user_cap_data_struct caps() {
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2]{};
  ::syscall(SYS_capget, &h, d);
  return d[0];
}

} // namespace

TEST(LifecyclePrivileges, DroppingThreadKeepsOnlyTheBindCapability) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  const passwd* pw = ::getpwnam("www-data");
  if (!pw) GTEST_SKIP() << "no www-data user";
  const uid_t www = pw->pw_uid;
  // a free port below 1024, found as root
  unsigned short low = 0;
  for (unsigned short p = 1023; p > 900 && !low; --p)
    if (can_bind(p)) low = p;
  if (!low) GTEST_SKIP() << "no free port below 1024";

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // a thread that exists before the drop, as the io threads do; it tries to bind afterwards
    std::mutex m;
    std::condition_variable cv;
    bool dropped = false, other_bound = true;
    std::thread other([&] {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return dropped; });
      other_bound = can_bind(low);
    });
    directives::CoreServerConf core; // User and Group unset: www-data
    const std::string error = lifecycle::drop_privileges(core);
    {
      std::lock_guard lock(m);
      dropped = true;
    }
    cv.notify_all();
    other.join();
    int bits = 0;
    if (!error.empty()) bits |= 1;
    if (::getuid() != www || ::geteuid() != www) bits |= 2;
    if (can_bind(low)) bits |= 64; // not effective while serving
    {
      lifecycle::BindCapability raised;
      if (!can_bind(low)) bits |= 4;
      raised.lower();
      if (can_bind(low)) bits |= 64;
    }
    if (!lifecycle::can_bind_privileged_ports()) bits |= 8;
    const auto c = caps();
    const unsigned only = CAP_TO_MASK(CAP_NET_BIND_SERVICE);
    if (c.effective != 0 || c.permitted != only || c.inheritable != 0) bits |= 16;
    if (other_bound) bits |= 32;
    // a thread started now (a reload's) inherits the permitted capability and can raise it
    bool later_bound = false, later_plain = true;
    std::thread later([&] {
      later_plain = can_bind(low);
      lifecycle::BindCapability raised;
      later_bound = can_bind(low);
    });
    later.join();
    if (!later_bound || later_plain) bits |= 128;
    if (can_bind(low)) bits |= 64;
    ::_exit(bits);
  }
  int status = -1;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  const int bits = WEXITSTATUS(status);
  EXPECT_FALSE(bits & 1) << "drop_privileges reported an error";
  EXPECT_FALSE(bits & 2) << "not www-data after the drop";
  EXPECT_FALSE(bits & 4) << "the dropping thread cannot bind port " << low;
  EXPECT_FALSE(bits & 8) << "can_bind_privileged_ports() says no";
  EXPECT_FALSE(bits & 16) << "capabilities other than CAP_NET_BIND_SERVICE remain";
  EXPECT_FALSE(bits & 32) << "a thread from before the drop could bind port " << low;
  EXPECT_FALSE(bits & 64) << "the dropping thread binds port " << low << " without raising the capability";
  EXPECT_FALSE(bits & 128)
      << "a thread started after the drop cannot raise the capability, or has it effective";
}

TEST(LifecyclePrivileges, BadUserIsApacheError) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    directives::CoreServerConf core;
    core.user = "no-such-user-bd";
    core.group = "#0";
    const std::string error = lifecycle::drop_privileges(core);
    ::_exit(error == "AH00544: balancerd: bad user name no-such-user-bd" ? 0 : 1);
  }
  int status = -1;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
