// URL path normalisation before mapping to files.
#include <gtest/gtest.h>

#include "server/pipeline/redirect_page.hpp"
#include "server/pipeline/uri_path.hpp"

using namespace balancerd::pipeline;

namespace {
std::string norm(std::string_view in, PathStatus expect = PathStatus::Ok) {
  std::string out;
  EXPECT_EQ(normalise_path(in, out), expect) << in;
  return out;
}
} // namespace

TEST(PipelinePath, DecodesAndRemovesDotSegments) {
  EXPECT_EQ(norm("/a%20b.txt"), "/a b.txt");
  EXPECT_EQ(norm("/a/./b"), "/a/b");
  EXPECT_EQ(norm("/a/../b"), "/b");
  EXPECT_EQ(norm("/a/b/.."), "/a/");
  EXPECT_EQ(norm("/a//b"), "/a/b");
  EXPECT_EQ(norm("/"), "/");
  EXPECT_EQ(norm("/."), "/");
}

TEST(PipelinePath, RefusesEscapesAboveRootAndEncodedSlash) {
  norm("/../etc/passwd", PathStatus::BadRequest);
  norm("/a/../../x", PathStatus::BadRequest);
  norm("/a%2fb", PathStatus::NotFound);
  norm("/a%zz", PathStatus::BadRequest);
  norm("/a%2", PathStatus::BadRequest);
  norm("noslash", PathStatus::BadRequest);
}

TEST(PipelinePath, AllowEncodedSlashes) {
  std::string out;
  EXPECT_EQ(normalise_path("/a%2Fb/%41", out, EncodedSlashes::On), PathStatus::Ok);
  EXPECT_EQ(out, "/a/b/A");
  EXPECT_EQ(normalise_path("/a%2fb/%41/../c", out, EncodedSlashes::NoDecode), PathStatus::Ok);
  EXPECT_EQ(out, "/a%2fb/c"); // kept encoded: "a%2fb" stays one segment
  EXPECT_EQ(normalise_path("/a%00", out, EncodedSlashes::NoDecode), PathStatus::NotFound);
}

TEST(PipelineRedirectPage, ApacheBody) {
  std::string body;
  append_redirect_body(body, 302, "http://localhost/new");
  EXPECT_EQ(body.size(), 244u); // Apache's Content-Length for this target (compat redirect.scn)
  EXPECT_NE(body.find("<title>302 Found</title>"), std::string::npos);
  EXPECT_NE(body.find("<a href=\"http://localhost/new\">here</a>"), std::string::npos);
}

// The fast path for paths that are already normal, checked on the shapes closest to needing the
// general decoder.
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
  norm("/..", PathStatus::BadRequest);
  norm("/a/../..", PathStatus::BadRequest);
  norm("", PathStatus::BadRequest);
  norm("a/b", PathStatus::BadRequest);
}

// The output buffer is reused per request: both paths clear what it held.
TEST(UriPathFastPath, OutputIsClearedFirst) {
  std::string out = "stale";
  ASSERT_EQ(normalise_path("/small.html", out), PathStatus::Ok);
  EXPECT_EQ(out, "/small.html");
  out = "stale";
  ASSERT_EQ(normalise_path("/a/./b", out), PathStatus::Ok);
  EXPECT_EQ(out, "/a/b");
}
