// Section nesting in the read pass. Every expected text was produced by apache2 2.4.71 -t on the
// same lines (its "apache2: " program prefix is not part of ReadError::what()).
#include "read_fixture.hpp"

namespace balancerd::parser::testing {
namespace {

class Sections : public ::testing::Test {
protected:
  ReadRun parse(const std::string& text) { return read_text(t, hooks, text); }
  std::string error(const std::string& text) { return tidy(t, parse(text).error); }
  TempTree t;
  FakeHooks hooks;
};

TEST_F(Sections, BuildsTreeWithNameArgsFileAndLine) {
  auto r = parse(
      "ServerName localhost\n<VirtualHost *:80>\n  <Location /a>\n    Require all granted\n  </Location>\n"
      "</VirtualHost>\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result),
            "ServerName localhost\n<VirtualHost *:80>\n  <Location /a>\n    Require all granted\n");
  const Node& vh = r.result->tree[1];
  EXPECT_TRUE(vh.is_section);
  EXPECT_EQ(vh.line, 2u);
  EXPECT_EQ(*vh.file, t.path("main.conf"));
  EXPECT_EQ(vh.children[0].children[0].line, 4u);
  EXPECT_FALSE(vh.children[0].children[0].is_section);
}

TEST_F(Sections, OpenerWithoutArgumentsKeepsAClosingBracketArgument) {
  auto r = parse("<Else>\n</Else>\n<Proxy>\n</Proxy>\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.result->tree[0].name, "<Else");
  EXPECT_EQ(r.result->tree[0].args, ">");
}

TEST_F(Sections, OpenerArgsKeepTheirBracketAndQuotes) {
  auto r = parse("<Location \"/a b\">\n</Location>\n<Location /x\n</Location>\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.result->tree[0].args, "\"/a b\">");
  EXPECT_EQ(r.result->tree[1].args, "/x"); // missing '>' is the section handler's error
}

TEST_F(Sections, ReadTimeDirectivesAreFoundInAnyCaseAndOthersOfTheirLengthAreKept) {
  // DEFINE and iNcLuDeOpTiOnAl act at read time; "Defile", "Includes", "Use" and "UndefMacro"
  // (mod_macro not loaded here) are ordinary directives for the walk pass, as in Apache.
  t.write("inc.conf", "ServerName inc\n");
  auto r = parse("DEFINE X\n<IfDefine X>\n  DocumentRoot /x\n</IfDefine>\n"
                 "iNcLuDeOpTiOnAl inc.conf\nDefile a\nIncludes b\nUse m\nUndefMacro m\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result),
            "DocumentRoot /x\nServerName inc\nDefile a\nIncludes b\nUse m\nUndefMacro m\n");
}

TEST_F(Sections, NamesAreCaseInsensitive) {
  EXPECT_EQ(parse("<location /a>\n</LOCATION>\n").error, "");
}

TEST_F(Sections, ClosingLineMayHaveTrailingText) {
  // fixture 60_close_with_trailing
  EXPECT_EQ(parse("<Location /a>\n</Location> x\n").error, "");
}

TEST_F(Sections, UnknownSectionIsStoredForTheWalkPass) {
  // fixture 61_unknown_section
  auto r = parse("<Foo bar>\n</Foo>\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.result->tree[0].name, "<Foo");
}

TEST_F(Sections, MismatchedClose) {
  // fixture 12_mismatched_close
  EXPECT_EQ(error("ServerName localhost\n<Location /a>\n</Directory>\n"),
            "Syntax error on line 3 of <T>/main.conf: Expected </Location> but saw </Directory>");
}

TEST_F(Sections, MismatchUsesRegisteredSpellingOfKnownSections) {
  EXPECT_EQ(error("<location /a>\n</Directory>\n"),
            "Syntax error on line 2 of <T>/main.conf: Expected </Location> but saw </Directory>");
}

TEST_F(Sections, MismatchUsesTypedSpellingOfUnknownSections) {
  EXPECT_EQ(error("<proxy x>\n</foo>\n"),
            "Syntax error on line 2 of <T>/main.conf: Expected </proxy> but saw </foo>");
}

TEST_F(Sections, NestedMismatch) {
  // fixture 36_nested_unclosed
  EXPECT_EQ(error("x\nx\n<VirtualHost *:80>\n<Location /a>\n</VirtualHost>\n"),
            "Syntax error on line 5 of <T>/main.conf: Expected </Location> but saw </VirtualHost>");
}

TEST_F(Sections, CloseWithoutOpen) {
  // fixture 13_close_without_open
  EXPECT_EQ(error("x\nServerName localhost\n</VirtualHost>\n"),
            "Syntax error on line 3 of <T>/main.conf: </VirtualHost> without matching <VirtualHost> section");
}

TEST_F(Sections, CloseWithoutOpenAndWithoutBracket) {
  EXPECT_EQ(error("</Location\n"),
            "Syntax error on line 1 of <T>/main.conf: </Location without matching <Location section");
  EXPECT_EQ(error("</\n"), "Syntax error on line 1 of <T>/main.conf: </ without matching < section");
}

TEST_F(Sections, CloseMissingBracketWithAnOpenSection) {
  EXPECT_EQ(error("<Location /a>\n</Location\n"),
            "Syntax error on line 2 of <T>/main.conf: </Location> directive missing closing '>'");
  EXPECT_EQ(error("<Location /a>\n</\n"),
            "Syntax error on line 2 of <T>/main.conf: </> directive missing closing '>'");
}

TEST_F(Sections, UnclosedAtEndOfFile) {
  // fixture 09_unclosed_proxy
  EXPECT_EQ(error("x\nx\nServerName localhost\n<Proxy \"balancer://app\">\n    BalancerMember "
                  "http://127.0.0.1:9000\n"),
            "Syntax error on line 4 of <T>/main.conf: <T>/main.conf:4: <Proxy> was not closed.");
}

TEST_F(Sections, AllUnclosedListedInnermostFirstPrefixedWithOutermostLine) {
  // fixture 37_two_unclosed (and lower-case names print the registered spelling)
  EXPECT_EQ(error("x\nx\nx\n<virtualhost *:80>\n<location /x>\n"),
            "Syntax error on line 4 of <T>/main.conf: <T>/main.conf:5: <Location> was not closed.\\n"
            "<T>/main.conf:4: <VirtualHost> was not closed.");
}

TEST_F(Sections, BareAngleBracketsOpenNamelessSections) {
  EXPECT_EQ(error("<>\n"), "Syntax error on line 1 of <T>/main.conf: <T>/main.conf:1: <> was not closed.");
  EXPECT_EQ(error("<\n"), "Syntax error on line 1 of <T>/main.conf: <T>/main.conf:1: <> was not closed.");
}

TEST_F(Sections, QuotedOpenerStillOpens) {
  EXPECT_EQ(error("\"<Location\" /a>\n"),
            "Syntax error on line 1 of <T>/main.conf: <T>/main.conf:1: <Location> was not closed.");
}

TEST_F(Sections, NestingIsPerFile) {
  // fixture 62_close_in_include
  t.write("closer.inc", "</VirtualHost>\n");
  EXPECT_EQ(
      error("x\nServerName localhost\n<VirtualHost *:28080>\nInclude " + t.path("closer.inc") +
            "\n</VirtualHost>\n"),
      "Syntax error on line 4 of <T>/main.conf: Syntax error on line 1 of <T>/closer.inc: </VirtualHost> "
      "without matching <VirtualHost> section");
}

TEST_F(Sections, SectionOpenedInIncludedFileMustCloseThere) {
  t.write("opener.inc", "x\n<Location />\n");
  EXPECT_EQ(
      error("Include opener.inc\n</Location>\n"),
      "Syntax error on line 1 of <T>/main.conf: Syntax error on line 2 of <T>/opener.inc: <T>/opener.inc:2: "
      "<Location> was not closed.");
}

TEST_F(Sections, IncludedNodesAreSplicedIntoTheEnclosingSection) {
  t.write("inner.inc", "Require all granted\n");
  auto r = parse("<Location />\nInclude inner.inc\n</Location>\nServerName x\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "<Location />\n  Require all granted\nServerName x\n");
  EXPECT_EQ(*r.result->tree[0].children[0].file, t.path("inner.inc"));
}

TEST_F(Sections, EmptyFirstWordSkipsTheLine) {
  auto r = parse("\"\" foo\nServerName x\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "ServerName x\n");
}

TEST_F(Sections, TrailingBracketIsDroppedFromAnyFirstWord) {
  // apache2: "ServerName>" -> "ServerName takes one argument"; ">" -> Invalid command ''
  auto r = parse("ServerName>\nFoo> a\n>\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "ServerName\nFoo a\n\n");
}

TEST_F(Sections, DirectiveArgsAreTheRawRestOfTheLine) {
  auto r = parse("Header  set X \"a b\"  \n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.result->tree[0].args, "set X \"a b\"");
}

TEST_F(Sections, TenThousandDeepNestingNeitherCrashesNorRecurses) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "<Location /" + std::to_string(i) + ">\n";
  for (int i = 0; i < 10000; ++i) text += "</Location>\n";
  auto r = parse(text);
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.result->tree.size(), 1u);
  std::string tail = text.substr(0, text.size() - 12); // drop the last close
  EXPECT_NE(parse(tail).error.find("<Location> was not closed."), std::string::npos);
}

TEST_F(Sections, TenThousandDeepFalseConditionalIsSkipped) {
  std::string text = "<IfModule !core_module>\n";
  for (int i = 0; i < 10000; ++i) text += "<Location /" + std::to_string(i) + ">\n";
  for (int i = 0; i < 10000; ++i) text += "</Location>\n";
  text += "</IfModule>\nAfter\n";
  auto r = parse(text);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "After\n");
}

TEST_F(Sections, TenThousandDeepTrueConditionalsAreSpliced) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "<IfModule core_module>\n";
  text += "ServerName deep\n";
  for (int i = 0; i < 10000; ++i) text += "</IfModule>\n";
  auto r = parse(text);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "ServerName deep\n");
}

} // namespace
} // namespace balancerd::parser::testing
