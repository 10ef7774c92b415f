// The BalancerPersist file where this process may not create or open it (a server running as User
// whose new DefaultRuntimeDir is root's): the runtime-file opener the server installs (its
// privileged helper) is asked for the descriptor and the file is written in place through it.
#include "server/balancer/persist_file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace balancerd::balancer {
namespace {

std::string scratch_dir() {
  std::string tmpl = "/tmp/bd-persist-opener-XXXXXX";
  return ::mkdtemp(tmpl.data());
}

PersistedServer server_with(int balancers) {
  PersistedServer s;
  s.key = "main";
  for (int i = 0; i < balancers; ++i) {
    PersistedBalancer b;
    b.name = "balancer://b" + std::to_string(i);
    b.capacity = 1;
    s.balancers.push_back(b);
  }
  return s;
}

// The opener under test stands for the helper: it records what it was asked for and opens the
// file it maps the path to (or hands out a descriptor opened earlier).
std::string asked_path;
std::string mapped_path;
int opened_before = -1;
int test_opener(const std::string& path) {
  asked_path = path;
  if (opened_before >= 0) return ::dup(opened_before);
  const int fd = ::open(mapped_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  return fd >= 0 ? fd : -errno;
}

struct OpenerScope {
  OpenerScope() { set_runtime_file_opener(&test_opener); }
  ~OpenerScope() {
    set_runtime_file_opener(nullptr);
    asked_path.clear();
    mapped_path.clear();
    opened_before = -1;
  }
};

TEST(PersistFileOpener, WithoutAnOpenerAnUncreatableFileFails) {
  const std::string dir = scratch_dir();
  EXPECT_FALSE(write_persisted(dir + "/missing/state", {server_with(1)}));
  EXPECT_EQ(open_persisted_for_update(dir + "/missing/state"), -1);
  std::filesystem::remove_all(dir);
}

TEST(PersistFileOpener, TheOpenerWritesInPlaceWhenTheTemporaryFileCannotBeCreated) {
  const std::string dir = scratch_dir();
  const OpenerScope scope;
  mapped_path = dir + "/state";
  // a longer file first: the in-place write must cut it to the new content
  ASSERT_TRUE(write_persisted(mapped_path, {server_with(5)}));
  ASSERT_TRUE(write_persisted(dir + "/missing/state", {server_with(2)}));
  EXPECT_EQ(asked_path, dir + "/missing/state");
  const auto back = read_persisted(mapped_path);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].balancers.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(dir + "/missing"));
  std::filesystem::remove_all(dir);
}

// As root: a child that gave root up cannot open root's file (EACCES), so both the write and the
// descriptor kept for later writes come from the opener.
TEST(PersistFileOpener, AnUnprivilegedProcessGetsRootsFileFromTheOpener) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  const std::string dir = scratch_dir();
  ::chmod(dir.c_str(), 0755);
  const std::string path = dir + "/state";
  ASSERT_TRUE(write_persisted(path, {server_with(3)}));
  ::chmod(path.c_str(), 0644);
  const OpenerScope scope;
  opened_before = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(opened_before, 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int bits = 0;
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(64);
    if (::open(path.c_str(), O_WRONLY) >= 0) bits |= 1; // the premise: not ours to open
    if (!write_persisted(path, {server_with(1)})) bits |= 2;
    if (asked_path != path) bits |= 4;
    asked_path.clear();
    const int fd = open_persisted_for_update(path);
    if (fd < 0 || asked_path != path) bits |= 8;
    ::_exit(bits);
  }
  int status = -1;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  const int bits = WEXITSTATUS(status);
  ASSERT_NE(bits, 64) << "could not become nobody";
  EXPECT_FALSE(bits & 1) << "nobody could open root's 0644 file";
  EXPECT_FALSE(bits & 2) << "write_persisted failed";
  EXPECT_FALSE(bits & 4) << "the write did not go through the opener";
  EXPECT_FALSE(bits & 8) << "open_persisted_for_update did not go through the opener";
  const auto back = read_persisted(path);
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)[0].balancers.size(), 1u);
  ::close(opened_before);
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace balancerd::balancer
