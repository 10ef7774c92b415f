// Apache's rendering of error text (verified: apache2 prints 'Foo\bx\x1b\x7f', '<Foo\bx"\x7f>',
// '\xef\xbb\xbfServerName', '</Location>\\ZzEnd' and "\n" between unclosed sections).
#include "parser/log_escape.hpp"
#include "read_fixture.hpp"

namespace balancerd::parser::testing {
namespace {

TEST(LogEscape, ControlAndHighBytes) {
  EXPECT_EQ(escape_for_log("Foo\bx\x1b\x7f"), "Foo\\bx\\x1b\\x7f");
  EXPECT_EQ(escape_for_log("\xEF\xBB\xBFServerName"), "\\xef\\xbb\\xbfServerName");
  EXPECT_EQ(escape_for_log("a\tb\rc\nd\ve"), "a\\tb\\rc\\nd\\ve");
}

TEST(LogEscape, BackslashDoublesQuotesStay) {
  EXPECT_EQ(escape_for_log(R"(<\"'>)"), R"(<\\"'>)");
}

TEST(LogEscape, ReadErrorsAreEscapedLikeApache) {
  TempTree t;
  FakeHooks hooks;
  EXPECT_EQ(tidy(t, read_text(t, hooks, "<Location /a>\n</Location>\\ZzEnd\n").error),
            "Syntax error on line 2 of <T>/main.conf: </Location>\\\\ZzEnd> directive missing closing '>'");
  EXPECT_EQ(tidy(t, read_text(t, hooks, "<Foo\bx\"\x7f\n").error),
            "Syntax error on line 1 of <T>/main.conf: <T>/main.conf:1: <Foo\\bx\"\\x7f> was not closed.");
}

} // namespace
} // namespace balancerd::parser::testing
