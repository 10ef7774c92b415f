// What an <If> condition sees of the per-directory configuration during the section walk
// (runtime::current_if_walk): the sections merged before the <If>s, as apache2 2.4.71 evaluates
// %{REMOTE_HOST} under a HostnameLookups set in an enclosing or later-merged <Location>/<Directory>
// but not in an earlier <If> (compat http-core expr-remote-host-section-lookups).
#include "runtime_test_support.hpp"
#include "server/runtime/request_config.hpp"
#include "server/runtime/section_walk.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace balancerd::runtime;
using balancerd::directives::DirConf;
using balancerd::directives::expr::Expr;
using balancerd::runtime::testing::compile_text;

// HostnameLookups as each condition saw it ("-" for "no section sets it").
struct Seen {
  std::vector<std::string> values;
  ExprHook hook() {
    return [this](const Expr&) {
      const IfWalkScope* w = current_if_walk();
      if (!w) {
        values.push_back("no scope");
        return false;
      }
      const DirConf* c = w->latest([](const DirConf& d) { return d.core->hostname_lookups.has_value(); });
      values.push_back(c ? *c->core->hostname_lookups : "-");
      return true;
    };
  }
};

const std::string kConfig = "<Location /b>\n"
                            "  <If \"true\">\n"
                            "    Header always set X-Nested yes\n"
                            "  </If>\n"
                            "</Location>\n"
                            "<Location /b>\n"
                            "  HostnameLookups On\n"
                            "</Location>\n"
                            "<If \"true\">\n"
                            "  HostnameLookups Double\n"
                            "</If>\n"
                            "<If \"true\">\n"
                            "  Header always set X-Second yes\n"
                            "</If>\n";

TEST(RuntimeIfWalkScope, ConditionsSeeTheSectionsMergedBeforeTheIfs) {
  RequestConfigResolver resolver(compile_text(kConfig));
  Seen seen;
  resolver.resolve(resolver.server(kMainServer), "/b/x", "", "", seen.hook());
  // two server-level <If>s, then the one nested in the first <Location /b>: every one sees the
  // second <Location /b>'s On, none the first <If>'s Double
  EXPECT_EQ(seen.values, (std::vector<std::string>{"on", "on", "on"}));
  EXPECT_EQ(current_if_walk(), nullptr); // only during the walk

  Seen elsewhere;
  resolver.resolve(resolver.server(kMainServer), "/a", "", "", elsewhere.hook());
  EXPECT_EQ(elsewhere.values, (std::vector<std::string>{"-", "-"}));
}

} // namespace
