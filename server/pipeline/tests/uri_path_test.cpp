// normalise_path's fast path for paths that are already normal, checked against the general
// decoder on the shapes closest to needing it.
#include <gtest/gtest.h>

#include <string>

#include "server/pipeline/uri_path.hpp"

using namespace balancerd::pipeline;

namespace {
std::string norm(std::string_view in) {
  std::string out = "stale"; // cleared first, capacity reused
  EXPECT_EQ(normalise_path(in, out), PathStatus::Ok) << in;
  return out;
}
} // namespace

TEST(UriPathFastPath, CleanPathsAreCopiedAsSent) {
  EXPECT_EQ(norm("/"), "/");
  EXPECT_EQ(norm("/small.html"), "/small.html");
  EXPECT_EQ(norm("/a/b/"), "/a/b/");
  EXPECT_EQ(norm("/a/.b/c."), "/a/.b/c.");
  EXPECT_EQ(norm("/..a/b../.../x"), "/..a/b../.../x");
  EXPECT_EQ(norm("/a+b;c=d"), "/a+b;c=d");
}

TEST(UriPathFastPath, AlmostCleanPathsStillNormalised) {
  EXPECT_EQ(norm("//"), "/");
  EXPECT_EQ(norm("/a//"), "/a/");
  EXPECT_EQ(norm("//a"), "/a");
  EXPECT_EQ(norm("/a/."), "/a/");
  EXPECT_EQ(norm("/a/./"), "/a/");
  EXPECT_EQ(norm("/a/b/.."), "/a/");
  EXPECT_EQ(norm("/a/../"), "/");
  EXPECT_EQ(norm("/a/%2e%2e/b"), "/b");
  EXPECT_EQ(norm("/%61"), "/a");
  std::string out;
  EXPECT_EQ(normalise_path("/..", out), PathStatus::BadRequest);
  EXPECT_EQ(normalise_path("/a/../..", out), PathStatus::BadRequest);
  EXPECT_EQ(normalise_path("", out), PathStatus::BadRequest);
  EXPECT_EQ(normalise_path("a/b", out), PathStatus::BadRequest);
}
