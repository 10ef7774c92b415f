// SourceFile: the shared file name of model definitions reads and compares like a std::string.
#include "directives/model/source_file.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>

namespace balancerd::directives {
namespace {

TEST(SourceFile, SharesTheParseTreesCopy) {
  auto path = std::make_shared<const std::string>("/etc/apache2/sites-enabled/a.conf");
  SourceFile a = path;
  SourceFile b = a;
  EXPECT_EQ(&a.str(), path.get());
  EXPECT_EQ(&b.str(), path.get());
  EXPECT_EQ(path.use_count(), 3);
}

TEST(SourceFile, ReadsLikeAString) {
  SourceFile f = std::string("/x.conf");
  const std::string& s = f;
  EXPECT_EQ(s, "/x.conf");
  EXPECT_EQ(f.size(), 7u);
  EXPECT_STREQ(f.c_str(), "/x.conf");
  EXPECT_EQ(f + ":3", "/x.conf:3");
  EXPECT_EQ("at " + f, "at /x.conf");
  std::ostringstream os;
  os << f;
  EXPECT_EQ(os.str(), "/x.conf");
  std::string assigned;
  assigned = f;
  EXPECT_EQ(assigned, "/x.conf");
}

TEST(SourceFile, EmptyAndClearedReadAsEmptyString) {
  SourceFile unset;
  EXPECT_TRUE(unset.empty());
  EXPECT_EQ(unset.str(), "");
  SourceFile f = "/y.conf";
  EXPECT_FALSE(f.empty());
  f.clear();
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f, unset);
  EXPECT_TRUE(SourceFile(std::shared_ptr<const std::string>()).empty());
}

TEST(SourceFile, ComparesByContentNotByPointer) {
  SourceFile a = std::make_shared<const std::string>("/z.conf");
  SourceFile b = std::make_shared<const std::string>("/z.conf");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, "/z.conf");
  EXPECT_FALSE(a == SourceFile("/other.conf"));
}

} // namespace
} // namespace balancerd::directives
