// The privileged helper's requests, straight from the test process (root; skipped otherwise): a
// log file opened for append with Apache's mode and the errno of a failure, a runtime file, a
// program started with our pipe as its stdin and watched on its pidfd, SIGTERM only to its own
// programs, oversized requests refused, and the armed PidFile removed when the helper ends.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "server/lifecycle/privileged_helper.hpp"
#include "server/lifecycle/tests/proc_files.hpp"
#include "server/log/piped_log.hpp"

namespace fs = std::filesystem;
using namespace balancerd;
using testing_support::parent_of;
using testing_support::slurp;

namespace {

struct TempDir {
  std::string dir;
  TempDir() {
    std::string tmpl = "/tmp/bd-helper-XXXXXX";
    dir = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(dir); }
  std::string path(const std::string& name) const { return dir + "/" + name; }
};

bool readable_within(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) > 0;
}

int fd_flags(int fd) {
  return ::fcntl(fd, F_GETFL);
}

} // namespace

TEST(LifecyclePrivilegedHelper, OpensLogAndRuntimeFilesWithApacheModeAndErrno) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  const TempDir d;
  auto helper = lifecycle::PrivilegedHelper::start(d.path("httpd.pid"), "", {});
  ASSERT_TRUE(helper);
  const mode_t old = ::umask(0); // the helper forked with this umask (read, then put back)
  ::umask(old);

  auto fd = helper->open_log(d.path("access.log"));
  ASSERT_TRUE(fd);
  ASSERT_GE(*fd, 0);
  EXPECT_TRUE(fd_flags(*fd) & O_APPEND);
  EXPECT_EQ(fd_flags(*fd) & O_ACCMODE, O_WRONLY);
  EXPECT_TRUE(::fcntl(*fd, F_GETFD) & FD_CLOEXEC);
  ASSERT_EQ(::write(*fd, "line\n", 5), 5);
  ::close(*fd);
  EXPECT_EQ(slurp(d.path("access.log")), "line\n");
  struct stat st {};
  ASSERT_EQ(::stat(d.path("access.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666u & ~old);
  EXPECT_EQ(st.st_uid, 0u);

  // the errno comes back, for Apache's "(2)No such file or directory: AH00091: ..."
  auto missing = helper->open_log(d.path("no/such/dir.log"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(*missing, -ENOENT);
  EXPECT_FALSE(fs::exists(d.path("no")));

  // a runtime file: written in place, not appended, not truncated on open
  std::ofstream(d.path("state")) << "0123456789";
  auto rt = helper->open_runtime_file(d.path("state"));
  ASSERT_TRUE(rt);
  ASSERT_GE(*rt, 0);
  EXPECT_FALSE(fd_flags(*rt) & O_APPEND);
  ASSERT_EQ(::pwrite(*rt, "ab", 2, 0), 2);
  ::close(*rt);
  EXPECT_EQ(slurp(d.path("state")), "ab23456789");

  // a path longer than a request may carry is refused here, without asking
  auto too_long = helper->open_log(std::string(20000, 'x'));
  ASSERT_TRUE(too_long);
  EXPECT_EQ(*too_long, -ENAMETOOLONG);
}

TEST(LifecyclePrivilegedHelper, StartsAProgramOnOurPipeAndStopsOnlyItsOwn) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  const TempDir d;
  auto helper = lifecycle::PrivilegedHelper::start(d.path("httpd.pid"), "", {});
  ASSERT_TRUE(helper);
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  // found in PATH, as execvp would
  auto s = helper->spawn_logger({"sh", "-c", "cat > " + d.path("out")}, fds[0], STDOUT_FILENO, STDERR_FILENO);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->error, 0);
  ASSERT_GT(s->pid, 0);
  ASSERT_GE(s->pidfd, 0);
  ASSERT_EQ(::write(fds[1], "hello\n", 6), 6);
  ::close(fds[1]);
  ::close(fds[0]);
  // EOF ends it; the pidfd says so though the program is not our child
  EXPECT_TRUE(readable_within(s->pidfd, 3000));
  EXPECT_EQ(slurp(d.path("out")), "hello\n");
  ::close(s->pidfd);

  // a program that does not exist: its errno, as posix_spawnp would give
  int p2[2];
  ASSERT_EQ(::pipe2(p2, O_CLOEXEC), 0);
  auto bad = helper->spawn_logger({"/nonexistent/bd-logger"}, p2[0], STDOUT_FILENO, STDERR_FILENO);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->error, ENOENT);
  EXPECT_EQ(bad->pid, -1);

  // stop_logger: SIGTERM to its own program, nothing to another process
  auto sleeper = helper->spawn_logger({"sleep", "30"}, p2[0], STDOUT_FILENO, STDERR_FILENO);
  ASSERT_TRUE(sleeper);
  ASSERT_EQ(sleeper->error, 0);
  const pid_t ours = ::fork();
  ASSERT_GE(ours, 0);
  if (ours == 0) {
    ::execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  helper->stop_logger(ours);
  helper->stop_logger(sleeper->pid);
  EXPECT_TRUE(readable_within(sleeper->pidfd, 3000)) << "the helper's program was not stopped";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(::waitpid(ours, nullptr, WNOHANG), 0) << "a process that is not the helper's was signalled";
  ::kill(ours, SIGKILL);
  ::waitpid(ours, nullptr, 0);
  ::close(sleeper->pidfd);
  ::close(p2[0]);
  ::close(p2[1]);
}

TEST(LifecyclePrivilegedHelper, EndsWhenItsSocketClosesAndRemovesTheArmedPidFile) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  for (const bool arm : {false, true}) {
    const TempDir d;
    std::ofstream(d.path("httpd.pid")) << "1\n";
    auto helper = lifecycle::PrivilegedHelper::start(d.path("httpd.pid"), "", {});
    ASSERT_TRUE(helper);
    const pid_t pid = helper->pid();
    if (arm) {
      EXPECT_TRUE(helper->arm_pid_file());
    }
    helper.reset(); // closes the socket and reaps it
    EXPECT_EQ(::kill(pid, 0), -1);
    EXPECT_EQ(errno, ESRCH);
    EXPECT_EQ(fs::exists(d.path("httpd.pid")), !arm);
  }
}

// A piped log while a helper is installed: the helper starts the program (its parent), the log
// sees it die on the pidfd and has the helper start it again, and at the end a program that
// ignores EOF is stopped through the helper.
TEST(LifecyclePrivilegedHelper, PipedLogsAreStartedRestartedAndStoppedThroughTheHelper) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  const TempDir d;
  auto helper = lifecycle::PrivilegedHelper::start(d.path("httpd.pid"), "", {});
  ASSERT_TRUE(helper);
  const lifecycle::InstalledHelper installed(helper.get());
  const auto eventually = [](auto f) {
    for (int i = 0; i < 200; ++i) {
      if (f()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  {
    log::PipedLog piped("|$exec cat >> " + d.path("piped.out"));
    const pid_t first = piped.pid();
    ASSERT_GT(first, 0);
    EXPECT_EQ(parent_of(first), helper->pid());
    piped.write("one\n");
    EXPECT_TRUE(eventually([&] { return slurp(d.path("piped.out")) == "one\n"; }));
    ::kill(first, SIGKILL);
    EXPECT_TRUE(
        eventually([&] { return piped.restarts() == 1u && piped.pid() > 0 && piped.pid() != first; }));
    EXPECT_EQ(parent_of(piped.pid()), helper->pid());
    piped.write("two\n");
    EXPECT_TRUE(eventually([&] { return slurp(d.path("piped.out")) == "one\ntwo\n"; }));
  }
  pid_t stubborn = -1;
  {
    log::PipedLog piped("||sleep 30");
    stubborn = piped.pid();
    ASSERT_GT(stubborn, 0);
    // ~PipedLog: EOF is not enough for sleep; after 2 s the helper sends SIGTERM
  }
  EXPECT_TRUE(eventually([&] { return ::kill(stubborn, 0) != 0; })) << "sleep 30 still runs";
}
