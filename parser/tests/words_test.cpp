// ap_getword_conf rules; expected words verified with apache2 2.4.71 (spec §1.7 table).
#include "parser/words.hpp"

#include <gtest/gtest.h>

namespace balancerd::parser {
namespace {

using Words = std::vector<std::string>;

TEST(Words, VerifiedTable) {
  struct Case {
    const char* text;
    Words words;
  };
  const Case cases[] = {
      {R"("hello world")", {"hello world"}},
      {R"('single quoted')", {"single quoted"}},
      {R"("esc \"dq\" and \\ and \n")", {R"(esc "dq" and \ and \n)"}},
      {R"('it\'s')", {"it's"}},
      {R"('dq \" inside sq')", {R"(dq \" inside sq)"}},
      {R"(un\\quoted\"x)", {R"(un\quoted\"x)"}},
      {R"("unterminated quote)", {"unterminated quote"}},
      {R"("a"b)", {"a", "b"}},
      {R"("")", {""}},
      {R"('mixed"')", {"mixed\""}},
      {R"("trailing backslash\")", {"trailing backslash\""}},
  };
  for (const auto& c : cases) EXPECT_EQ(split_words(c.text), c.words) << c.text;
}

TEST(Words, QuotesInsideAPlainWordAreLiteral) {
  EXPECT_EQ(split_words(R"(a"b c")"), (Words{"a\"b", "c\""}));
}

TEST(Words, EscapedBackslashBeforeClosingQuoteEndsTheWord) {
  // "\\" is skipped as a pair while looking for the closing quote.
  EXPECT_EQ(split_words(R"("a\\" b)"), (Words{R"(a\)", "b"}));
}

TEST(Words, AllIsspaceCharactersSeparate) {
  EXPECT_EQ(split_words(" a\tb\vc\fd\re \n"), (Words{"a", "b", "c", "d", "e"}));
}

TEST(Words, NextWordAdvancesPastTrailingBlanks) {
  std::string_view line = "  first   second  ";
  EXPECT_EQ(next_word(line), "first");
  EXPECT_EQ(line, "second  ");
  EXPECT_EQ(next_word(line), "second");
  EXPECT_TRUE(line.empty());
  EXPECT_EQ(next_word(line), "");
}

TEST(Words, EmptyQuotedWordIsAnEmptyWordButNotTheEnd) {
  std::string_view line = R"("" x)";
  EXPECT_EQ(next_word(line), "");
  EXPECT_EQ(line, "x");
}

TEST(Words, OtherBackslashesStayLiteral) {
  EXPECT_EQ(split_words(R"(a\nb "c\td" 'e\"f')"), (Words{R"(a\nb)", R"(c\td)", R"(e\"f)"}));
}

TEST(Words, BracedWordRunsToMatchingBrace) {
  std::string_view line = "{a {b} c} rest";
  EXPECT_EQ(next_word_braced(line), "a {b} c");
  EXPECT_EQ(line, "rest");
}

TEST(Words, BracedWordUnterminatedTakesTheRest) {
  std::string_view line = "{a b";
  EXPECT_EQ(next_word_braced(line), "a b");
  EXPECT_TRUE(line.empty());
}

TEST(Words, BracedVariantFallsBackToQuotesAndPlainWords) {
  std::string_view line = R"("q w" plain)";
  EXPECT_EQ(next_word_braced(line), "q w");
  EXPECT_EQ(next_word_braced(line), "plain");
}

TEST(Words, PlainBraceInsideAWordIsOrdinary) {
  EXPECT_EQ(split_words("a{b} c"), (Words{"a{b}", "c"}));
}

} // namespace
} // namespace balancerd::parser
