// Where Apache's directory walk stops for a file name that does not exist (the file name it logs as
// %f): the first missing or non-directory segment, checked against a real directory tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "server/pipeline/missing_file_walk.hpp"

namespace balancerd::pipeline {
namespace {

class MissingFileWalk : public ::testing::Test {
protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("bd_walk_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "dir" / "sub");
    std::ofstream(root_ / "a.txt") << "a";
    std::ofstream(root_ / "dir" / "b.txt") << "b";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  // the walk's stop as the part of `rel` (below the root) that stays the file name
  std::string stop(const std::string& rel) const {
    const std::string full = root_.string() + rel;
    const std::size_t end = missing_file_walk_end(full);
    EXPECT_LE(end, full.size());
    EXPECT_GE(end, root_.string().size()) << rel;
    return full.substr(root_.string().size(), end - root_.string().size());
  }
  std::filesystem::path root_;
};

TEST_F(MissingFileWalk, StopsAtTheFirstMissingDirectory) {
  EXPECT_EQ(stop("/nodir/x.html"), "/nodir");
  EXPECT_EQ(stop("/dir/nodir/sub/x.txt"), "/dir/nodir");
  EXPECT_EQ(stop("/nodir/"), "/nodir");
}

TEST_F(MissingFileWalk, StopsAtARegularFileWithPathBelowIt) {
  EXPECT_EQ(stop("/a.txt/x"), "/a.txt");
  EXPECT_EQ(stop("/a.txt/"), "/a.txt");
  EXPECT_EQ(stop("/dir/b.txt/x/y"), "/dir/b.txt");
}

TEST_F(MissingFileWalk, AMissingLastSegmentIsTheWholeName) {
  EXPECT_EQ(stop("/missing.html"), "/missing.html");
  EXPECT_EQ(stop("/dir/sub/missing"), "/dir/sub/missing");
}

TEST_F(MissingFileWalk, EmptySegmentsAreSkipped) {
  EXPECT_EQ(stop("/dir//nodir/x"), "/dir//nodir");
}

// The path info is the URI's tail that the walk cut from the mapped name (DocumentRoot or Alias).
TEST(PathInfo, IsTheTailTheWalkCutOff) {
  const std::string file = "/srv/www/a.txt/x/y";
  EXPECT_EQ(path_info_of("/a.txt/x/y", file, file.size() - 4), "/x/y");
  EXPECT_EQ(path_info_of("/al/a.txt/", "/aliased/a.txt/", 14), "/");
  EXPECT_EQ(path_info_of("/a.txt/x/y", file, file.size()), ""); // nothing cut
  EXPECT_EQ(path_info_of("/other", file, file.size() - 4), ""); // the URI does not end with the tail
  const std::string uri = "/a.txt/x";
  const std::string_view pi = path_info_of(uri, "/srv/a.txt/x", 10);
  EXPECT_EQ(pi.data(), uri.data() + 6); // a view into the URI, which outlives the mapped name
}

TEST(PathInfo, TheDefaultHandlerTakesItOnlyWithAcceptPathInfoOnForGetHeadPost) {
  EXPECT_TRUE(default_handler_takes_path_info("on", true));
  EXPECT_FALSE(default_handler_takes_path_info("off", true));
  EXPECT_FALSE(default_handler_takes_path_info("default", true));
  EXPECT_FALSE(default_handler_takes_path_info("", true)); // not set: Default
  // OPTIONS, PUT, unknown methods are answered as for the file whatever the setting
  EXPECT_TRUE(default_handler_takes_path_info("off", false));
  EXPECT_TRUE(default_handler_takes_path_info("", false));
}

} // namespace
} // namespace balancerd::pipeline
