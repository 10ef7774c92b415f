#include "server/handlers/file_body_cache.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

namespace balancerd::handlers {
namespace {

class FileBodyCache : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bd-body-cache-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/f.html";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }
  struct stat stat_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st;
  }
  // A request well after the file settled (files written by the test are seconds old at most).
  static std::time_t later() { return std::time(nullptr) + 60; }

  std::string dir_, path_;
};

TEST_F(FileBodyCache, KeepsASettledSmallFileAndHandsOutTheSameBytes) {
  write(path_, "hello");
  auto st = stat_of(path_);
  auto a = cached_file_body(path_, st, later());
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, "hello");
  auto b = cached_file_body(path_, st, later());
  EXPECT_EQ(a.get(), b.get()); // a hit: not read again
}

TEST_F(FileBodyCache, ARecentlyChangedFileIsNotKept) {
  write(path_, "hello");
  auto st = stat_of(path_);
  EXPECT_FALSE(cached_file_body(path_, st, std::time(nullptr)));
}

TEST_F(FileBodyCache, ALargeFileIsNotKept) {
  write(path_, std::string(kCachedFileMax + 1, 'x'));
  EXPECT_FALSE(cached_file_body(path_, stat_of(path_), later()));
  write(path_, std::string(kCachedFileMax, 'x'));
  auto body = cached_file_body(path_, stat_of(path_), later());
  ASSERT_TRUE(body);
  EXPECT_EQ(body->size(), kCachedFileMax);
}

TEST_F(FileBodyCache, AnEditedFileIsReadAfresh) {
  write(path_, "hello");
  auto first = cached_file_body(path_, stat_of(path_), later());
  ASSERT_TRUE(first);
  write(path_, "hello, world");
  auto second = cached_file_body(path_, stat_of(path_), later());
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, "hello, world");
  EXPECT_EQ(*first, "hello"); // a response still sending the old bytes keeps them
}

TEST_F(FileBodyCache, AReplacedFileIsReadAfresh) {
  write(path_, "one");
  ASSERT_TRUE(cached_file_body(path_, stat_of(path_), later()));
  const std::string tmp = dir_ + "/new";
  write(tmp, "two"); // same size, another inode
  ASSERT_EQ(std::rename(tmp.c_str(), path_.c_str()), 0);
  auto body = cached_file_body(path_, stat_of(path_), later());
  ASSERT_TRUE(body);
  EXPECT_EQ(*body, "two");
}

TEST_F(FileBodyCache, AStatThatNoLongerMatchesTheFileGivesNothing) {
  write(path_, "one");
  auto old = stat_of(path_);
  write(path_, "three"); // changed between the request's stat and the read
  EXPECT_FALSE(cached_file_body(path_, old, later()));
}

TEST_F(FileBodyCache, AnUnreadableOrMissingFileGivesNothing) {
  write(path_, "secret");
  auto st = stat_of(path_);
  ASSERT_EQ(::unlink(path_.c_str()), 0);
  EXPECT_FALSE(cached_file_body(path_, st, later()));
  struct stat dir = stat_of(dir_);
  EXPECT_FALSE(cached_file_body(dir_, dir, later())); // not a regular file
}

} // namespace
} // namespace balancerd::handlers
