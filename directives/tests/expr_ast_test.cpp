// The shape of the trees ap_expr parsing produces: precedence, associativity, the node kinds the
// runtime evaluates, string expressions.
#include "directives/expr/expr.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace {

using namespace balancerd::directives::expr;

// The returned node stays valid for the whole test program: every parsed tree is kept.
const Node& root_of(const ParseResult& r) {
  EXPECT_TRUE(r.ok()) << r.error;
  static const Node empty;
  static std::vector<std::shared_ptr<const Expr>> keep;
  if (!r.ok()) return empty;
  keep.push_back(r.expr);
  return r.expr->root;
}

TEST(ExprAst, AndBindsTighterThanOrAndNotTighterThanAnd) {
  auto r = parse("!true && false || true");
  const Node& n = root_of(r);
  ASSERT_EQ(n.kind, Kind::Or);
  ASSERT_EQ(n.children.size(), 2u);
  const Node& a = n.children[0];
  ASSERT_EQ(a.kind, Kind::And);
  EXPECT_EQ(a.children[0].kind, Kind::Not);
  EXPECT_EQ(a.children[0].children[0].kind, Kind::True);
  EXPECT_EQ(a.children[1].kind, Kind::False);
  EXPECT_EQ(n.children[1].kind, Kind::True);
}

TEST(ExprAst, OrIsRightAssociative) {
  const Node& n = root_of(parse("true || false || true"));
  ASSERT_EQ(n.kind, Kind::Or);
  EXPECT_EQ(n.children[0].kind, Kind::True);
  EXPECT_EQ(n.children[1].kind, Kind::Or);
}

TEST(ExprAst, ParenthesesGroup) {
  const Node& n = root_of(parse("(true || false) && true"));
  ASSERT_EQ(n.kind, Kind::And);
  EXPECT_EQ(n.children[0].kind, Kind::Or);
}

TEST(ExprAst, ComparisonsKeepTheirOperator) {
  struct {
    const char* text;
    Cmp cmp;
  } cases[] = {{"1 -eq 2", Cmp::NumEq},    {"1 -ne 2", Cmp::NumNe},         {"1 -lt 2", Cmp::NumLt},
               {"1 le 2", Cmp::NumLe},     {"1 -gt 2", Cmp::NumGt},         {"1 ge 2", Cmp::NumGe},
               {"'a' == 'b'", Cmp::StrEq}, {"'a' = 'b'", Cmp::StrEq},       {"'a' != 'b'", Cmp::StrNe},
               {"'a' < 'b'", Cmp::StrLt},  {"'a' <= 'b'", Cmp::StrLe},      {"'a' > 'b'", Cmp::StrGt},
               {"'a' >= 'b'", Cmp::StrGe}, {"'a' =~ /b/", Cmp::RegexMatch}, {"'a' !~ /b/", Cmp::RegexNoMatch},
               {"'a' -in {'b'}", Cmp::In}};
  for (const auto& c : cases) {
    const Node& n = root_of(parse(c.text));
    EXPECT_EQ(n.kind, Kind::Compare) << c.text;
    EXPECT_EQ(n.cmp, c.cmp) << c.text;
  }
}

TEST(ExprAst, RegexLiteralWithFlagAndOtherDelimiter) {
  const Node& n = root_of(parse("%{HTTP_HOST} =~ m#^www\\.#i"));
  ASSERT_EQ(n.kind, Kind::Compare);
  const Node& re = n.children[1];
  EXPECT_EQ(re.kind, Kind::Regex);
  EXPECT_EQ(re.text, "^www\\.");
  EXPECT_TRUE(re.icase);
  EXPECT_EQ(n.children[0].kind, Kind::Var);
  EXPECT_EQ(n.children[0].text, "HTTP_HOST");
}

TEST(ExprAst, QuotedStringWithVariablesIsAConcatenation) {
  const Node& n = root_of(parse("'a%{REQUEST_URI}b$1' == ''"));
  const Node& s = n.children[0];
  ASSERT_EQ(s.kind, Kind::Concat);
  // left-nested: ((a . %{REQUEST_URI}) . b) . $1
  EXPECT_EQ(s.children[1].kind, Kind::Backref);
  EXPECT_EQ(s.children[1].number, 1);
  const Node& l = s.children[0];
  ASSERT_EQ(l.kind, Kind::Concat);
  EXPECT_EQ(l.children[1].kind, Kind::String);
  EXPECT_EQ(l.children[1].text, "b");
  EXPECT_EQ(l.children[0].children[0].text, "a");
  EXPECT_EQ(l.children[0].children[1].kind, Kind::Var);
  EXPECT_EQ(n.children[1].kind, Kind::String);
  EXPECT_EQ(n.children[1].text, "");
}

TEST(ExprAst, EscapesInStrings) {
  const Node& n = root_of(parse("'a\\'b\\n\\101' == \"x\""));
  EXPECT_EQ(n.children[0].text, "a'b\nA");
}

TEST(ExprAst, FunctionsAndVarFunctions) {
  const Node& n = root_of(parse("tolower(%{HTTP:Host}) == md5('x')"));
  const Node& f = n.children[0];
  EXPECT_EQ(f.kind, Kind::StrFunc);
  EXPECT_EQ(f.text, "tolower");
  ASSERT_EQ(f.children.size(), 1u);
  EXPECT_EQ(f.children[0].kind, Kind::VarFunc);
  EXPECT_EQ(f.children[0].text, "HTTP");
  EXPECT_EQ(f.children[0].children[0].text, "Host");
  EXPECT_EQ(n.children[1].text, "md5");
}

TEST(ExprAst, ListsAndListFunctions) {
  const Node& n = root_of(parse("%{REQUEST_METHOD} in {'GET', 'HEAD', tolower('X')}"));
  const Node& list = n.children[1];
  ASSERT_EQ(list.kind, Kind::List);
  ASSERT_EQ(list.children.size(), 3u);
  EXPECT_EQ(list.children[2].kind, Kind::StrFunc);
  const Node& m = root_of(parse("'x' -in PeerExtList('1.2.3')"));
  EXPECT_EQ(m.children[1].kind, Kind::ListFunc);
}

TEST(ExprAst, UnaryAndBinaryOperators) {
  const Node& u = root_of(parse("-n %{HTTP:X-Foo}"));
  EXPECT_EQ(u.kind, Kind::Unary);
  EXPECT_EQ(u.text, "n");
  const Node& b = root_of(parse("%{REMOTE_ADDR} -ipmatch '10.0.0.0/8'"));
  EXPECT_EQ(b.kind, Kind::Binary);
  EXPECT_EQ(b.text, "ipmatch");
  EXPECT_EQ(b.children[1].text, "10.0.0.0/8");
}

TEST(ExprAst, ConcatOperatorAndDigits) {
  const Node& n = root_of(parse("'a' . 'b' . 3 == -12"));
  const Node& c = n.children[0];
  ASSERT_EQ(c.kind, Kind::Concat);
  EXPECT_EQ(c.children[1].kind, Kind::Concat); // right associative
  EXPECT_EQ(c.children[1].children[1].kind, Kind::Digit);
  EXPECT_EQ(n.children[1].text, "-12");
}

TEST(ExprAst, StringExpressions) {
  auto r = parse_string("v=%{REQUEST_URI} $2 'q'");
  const Node& n = root_of(r);
  EXPECT_FALSE(r.expr->is_bool);
  ASSERT_EQ(n.kind, Kind::Concat);
  EXPECT_EQ(n.children[1].kind, Kind::String);
  EXPECT_EQ(n.children[1].text, " 'q'");
  auto empty = parse_string("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty.expr->root.kind, Kind::String);
  EXPECT_EQ(parse_string("%{NOPE}").error, "Variable 'NOPE' does not exist");
  EXPECT_EQ(parse_string("%{HTTP:x").error, "Unterminated string or variable");
}

TEST(ExprAst, SourceIsKept) {
  auto r = parse("true");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.expr->source, "true");
  EXPECT_TRUE(r.expr->is_bool);
}

TEST(ExprNames, Lookups) {
  EXPECT_TRUE(is_known_variable("request_uri"));
  EXPECT_TRUE(is_known_variable("SSL_CLIENT_S_DN_CN"));
  EXPECT_FALSE(is_known_variable("SERVER_ADDR"));
  EXPECT_TRUE(is_known_function("TOLOWER"));
  EXPECT_FALSE(is_known_function("replace"));
  EXPECT_TRUE(is_known_unary_op("R"));
  EXPECT_FALSE(is_known_unary_op("r"));
  EXPECT_TRUE(is_known_binary_op("IPMATCH"));
  EXPECT_FALSE(is_known_binary_op("foo"));
}

} // namespace
