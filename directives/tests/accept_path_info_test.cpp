// AcceptPathInfo: what its handler writes into the core per-directory slot (lower case, per
// section), and the configtest error for a value that is not On, Off or Default, as apache2 -t prints it.
#include "directives/tests/compile_test_support.hpp"

#include <gtest/gtest.h>

namespace balancerd::directives::testing {
namespace {

TEST(AcceptPathInfo, StoresTheValueLowerCasedPerSection) {
  FixtureTree tree;
  const Outcome out = compile_fixture(tree, "api",
                                      "Include <T>/base.conf\nServerName localhost\nAcceptPathInfo DEFAULT\n"
                                      "<Directory /srv>\nAcceptPathInfo On\n</Directory>\n"
                                      "<Location /a>\nAcceptPathInfo oFF\n</Location>\n"
                                      "<Files x.txt>\n</Files>\n");
  ASSERT_TRUE(out.ok) << out.error;
  const Config& c = *out.result.config;
  EXPECT_EQ(c.main.dir.core->accept_path_info, "default");
  ASSERT_EQ(c.main.sections.size(), 3u);
  EXPECT_EQ(c.main.sections[0].conf.core->accept_path_info, "on");
  EXPECT_EQ(c.main.sections[1].conf.core->accept_path_info, "off");
  EXPECT_EQ(c.main.sections[2].conf.core->accept_path_info, std::nullopt); // not given: inherits
}

TEST(AcceptPathInfo, RefusesOtherValuesAsApacheDoes) {
  FixtureTree tree;
  const Outcome out =
      compile_fixture(tree, "api", "Include <T>/base.conf\nServerName localhost\nAcceptPathInfo maybe\n");
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.error, tree.expand("AH00526: Syntax error on line 3 of <T>/c/api.conf:\n"
                                   "AcceptPathInfo must be set to on, off or default"));
}

} // namespace
} // namespace balancerd::directives::testing
