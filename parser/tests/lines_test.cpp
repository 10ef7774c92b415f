// Logical-line rules of Apache's config reader (spec §1.1-§1.4), verified against apache2 2.4.71.
#include "parser/line_source.hpp"
#include "read_fixture.hpp"

#include <gtest/gtest.h>

namespace balancerd::parser {
namespace {

struct Got {
  std::string text;
  unsigned line;
  bool too_long;
  bool operator==(const Got&) const = default;
};

std::vector<Got> lines(std::string data, std::size_t max = kMaxLogicalLine) {
  LineSource src(std::move(data), max);
  std::vector<Got> out;
  LogicalLine l;
  while (src.next(l)) out.push_back({std::string(l.text), l.line, l.too_long});
  return out;
}

TEST(Lines, LfEndsLinesAndNumbersArePhysical) {
  EXPECT_EQ(lines("a\n\nb\n"), (std::vector<Got>{{"a", 1, false}, {"b", 3, false}}));
}

TEST(Lines, ContinuationJoinsDirectlyAndKeepsLeadingBlanks) {
  EXPECT_EQ(lines("ServerName \\\n  localhost\n"), (std::vector<Got>{{"ServerName   localhost", 2, false}}));
}

TEST(Lines, ContinuationLineNumberIsWhereTheLogicalLineEnds) {
  // fixture 70_continuation_lineno: error reported on line 4
  EXPECT_EQ(lines("x\nServerName \\\n  localhost \\\n  extra\n"),
            (std::vector<Got>{{"x", 1, false}, {"ServerName   localhost   extra", 4, false}}));
}

TEST(Lines, BackslashCrLfIsAContinuationToo) {
  EXPECT_EQ(lines("a \\\r\n b\r\n"), (std::vector<Got>{{"a  b", 2, false}}));
}

TEST(Lines, BackslashThenBlankIsNotAContinuation) {
  // fixture 69_backslash_space
  EXPECT_EQ(lines("ServerName localhost \\ \nFooBar\n"),
            (std::vector<Got>{{"ServerName localhost \\", 1, false}, {"FooBar", 2, false}}));
}

TEST(Lines, CommentEndingWithBackslashSwallowsNextLine) {
  // fixture 68_comment_continuation
  EXPECT_EQ(lines("# comment \\\nServerName localhost\nFooBar\n"), (std::vector<Got>{{"FooBar", 3, false}}));
}

TEST(Lines, OnlyWholeLineCommentsAfterTrimming) {
  EXPECT_EQ(lines("   # c\n\t\v\f\nA # not a comment\n"),
            (std::vector<Got>{{"A # not a comment", 3, false}}));
}

TEST(Lines, CrAloneIsOrdinaryAndTrailingCrIsTrimmed) {
  EXPECT_EQ(lines("a\rb\nc\r\r\n"), (std::vector<Got>{{"a\rb", 1, false}, {"c", 2, false}}));
}

TEST(Lines, LastLineWithoutLf) {
  EXPECT_EQ(lines("a\nb"), (std::vector<Got>{{"a", 1, false}, {"b", 2, false}}));
}

TEST(Lines, BackslashAtEndOfFileStays) {
  // apache2: `FooBar\` at EOF -> Invalid command 'FooBar\'
  EXPECT_EQ(lines("FooBar\\"), (std::vector<Got>{{"FooBar\\", 1, false}}));
}

TEST(Lines, EscapedBackslashBeforeLfStillContinues) {
  EXPECT_EQ(lines("a\\\\\nb\n"), (std::vector<Got>{{"a\\b", 2, false}}));
}

TEST(Lines, ContinuationOnlyLineJoinsNext) {
  EXPECT_EQ(lines("\\\nFooBar\n"), (std::vector<Got>{{"FooBar", 2, false}}));
}

TEST(Lines, NulHidesTheRestOfItsPhysicalLine) {
  std::string data("ServerName a\0b c\nFoo\0Bar x\nZ\n", 28);
  EXPECT_EQ(lines(data), (std::vector<Got>{{"ServerName a", 1, false}, {"Foo", 2, false}, {"Z", 3, false}}));
}

TEST(Lines, LineCutByNulNeverContinues) {
  // apache2: `"\\` NUL `${<\` LF -> the directive name is `\` on line 1; the next line stands alone
  std::string data("\"\\\\\0${<\\\nNext\n", 14);
  EXPECT_EQ(lines(data), (std::vector<Got>{{"\"\\\\", 1, false}, {"Next", 2, false}}));
}

TEST(Lines, EmptyLineAfterContinuationContinuesAgainWhenTextEndsInBackslash) {
  // apache2: the test is on the joined text, so "# x \\\\" + "\\\n" + "" swallows the next line too
  EXPECT_EQ(lines("# x \\\\\\\r\n\nZzEnd\nAfter\n"), (std::vector<Got>{{"After", 4, false}}));
  EXPECT_EQ(lines("a\\\\\\\n\nb\n"), (std::vector<Got>{{"a\\b", 3, false}}));
}

TEST(Lines, BomIsNotStripped) {
  EXPECT_EQ(lines("\xEF\xBB\xBFServerName x\n"), (std::vector<Got>{{"\xEF\xBB\xBFServerName x", 1, false}}));
}

TEST(Lines, LimitIsSixteenMebibytesMinusOne) {
  // apache2: a 16777215-byte line is read, 16777216 bytes is "Line too long" (line 2 here)
  std::string ok = "#" + std::string(kMaxLogicalLine - 1, 'x') + "\nA\n";
  EXPECT_EQ(lines(ok), (std::vector<Got>{{"A", 2, false}}));
  std::string bad = "x\n#" + std::string(kMaxLogicalLine, 'x') + "\nA\n";
  auto got = lines(bad);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1], (Got{"", 2, true}));
}

TEST(Lines, LimitAppliesToTheJoinedLineAtThePhysicalLineThatCrossesIt) {
  std::string data = "a \\\n" + std::string(600, 'x') + "\\\n" + std::string(600, 'y') + "\nB\n";
  auto got = lines(data, 1000);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (Got{"", 3, true}));
  EXPECT_EQ(got[1], (Got{"B", 4, false}));
}

TEST(Lines, ManyLinesAreFast) {
  std::string data;
  for (int i = 0; i < 200000; ++i) data += "  Directive arg" + std::to_string(i) + " \\\n   more\n";
  auto got = lines(data);
  ASSERT_EQ(got.size(), 200000u);
  EXPECT_EQ(got.back().line, 400000u);
}

} // namespace
} // namespace balancerd::parser
