// ${NAME} substitution and Define/UnDefine (spec §1.5, §3.1), verified with apache2 2.4.71.
#include "parser/variables.hpp"
#include "read_fixture.hpp"

namespace balancerd::parser::testing {
namespace {

class Variables : public ::testing::Test {
protected:
  ReadRun parse(const std::string& text, ReadOptions o = {}) {
    return read_text(t, hooks, text, std::move(o));
  }
  std::string error(const std::string& text) { return tidy(t, parse(text).error); }
  TempTree t;
  FakeHooks hooks;
};

std::string subst(std::string_view line, const std::map<std::string, std::string, std::less<>>& vars,
                  std::vector<std::string>* warned = nullptr) {
  std::string out;
  if (!substitute_variables(
          line, vars,
          [&](std::string_view n) {
            if (warned) warned->emplace_back(n);
          },
          out))
    return std::string(line);
  return out;
}

TEST(Substitution, DefinedValueThenEnvironment) {
  ::setenv("BD_TEST_ENV", "env", 1);
  EXPECT_EQ(subst("a ${V} ${BD_TEST_ENV} b", {{"V", "val"}}), "a val env b");
  EXPECT_EQ(subst("${BD_TEST_ENV}", {{"BD_TEST_ENV", "define-wins"}}), "define-wins");
}

TEST(Substitution, UndefinedStaysLiteralAndWarnsPerOccurrence) {
  std::vector<std::string> warned;
  EXPECT_EQ(subst("${BD_NOPE}x${BD_NOPE}", {}, &warned), "${BD_NOPE}x${BD_NOPE}");
  EXPECT_EQ(warned, (std::vector<std::string>{"BD_NOPE", "BD_NOPE"}));
}

TEST(Substitution, NamesWithColonDoNotWarn) {
  std::vector<std::string> warned;
  EXPECT_EQ(subst("${A:B} ${}", {}, &warned), "${A:B} ${}");
  EXPECT_EQ(warned, (std::vector<std::string>{""})); // apache2: "Config variable ${} is not defined"
}

TEST(Substitution, UnterminatedAndBareDollarStayLiteral) {
  EXPECT_EQ(subst("foo${abc", {}), "foo${abc");
  EXPECT_EQ(subst("$HOME $ {x}", {}), "$HOME $ {x}");
}

TEST(Substitution, NoRescanning) {
  // apache2: Define D $ / ${D}{PATH} -> Invalid command '${PATH}'
  EXPECT_EQ(subst("${D}{PATH}", {{"D", "$"}}), "${PATH}");
}

TEST_F(Variables, ValueWithSpacesSplitsIntoArguments) {
  auto r = parse("Define Q \"a b\"\nServerName ${Q}\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.result->tree[0].name, "ServerName");
  EXPECT_EQ(r.result->tree[0].args, "a b");
}

TEST_F(Variables, SubstitutionAppliesToTheDirectiveName) {
  auto r = parse("Define N Bar\nFoo${N}\nDefine H \"#\"\n${H}Foo\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "FooBar\n#Foo\n"); // a '#' from a variable is not a comment
}

TEST_F(Variables, UndefinedVariableIsLoggedAndKept) {
  // fixture 17_undefined_variable
  auto r = parse("ServerName ${BD_UNDEFINED_X}\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.result->tree[0].args, "${BD_UNDEFINED_X}");
  EXPECT_EQ(hooks.logs, std::vector<std::string>{
                            "[core:warn] AH00111: Config variable ${BD_UNDEFINED_X} is not defined"});
}

TEST_F(Variables, CommandLineDefinesHaveNoValue) {
  ReadOptions o;
  o.defines = {"CLI"};
  auto r = parse("X ${CLI}\nDefine NOVAL\nY ${NOVAL}\n", o);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "X ${CLI}\nY ${NOVAL}\n");
  EXPECT_EQ(hooks.logs.size(), 2u);
}

TEST_F(Variables, LaterDefineOverwritesAndUndefineRemoves) {
  auto r = parse("Define V 1\nDefine V 2\nA ${V}\nUnDefine V\nB ${V}\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "A 2\nB ${V}\n");
  EXPECT_EQ(r.result->defines.count("V"), 0u);
}

TEST_F(Variables, DefineWithoutValueKeepsAnEarlierValue) {
  auto r = parse("Define V 1\nDefine V\nA ${V}\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "A 1\n");
}

TEST_F(Variables, EmptyQuotedValueDefinesOnlyTheName) {
  auto r = parse("Define X \"\"\n<IfDefine X>\nA ${X}\n</IfDefine>\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "A ${X}\n");
}

TEST_F(Variables, ColonInNameIsABuildPassError) {
  // fixture 56_define_colon
  EXPECT_EQ(error("x\nServerName localhost\nDefine a:b c\n"),
            "Syntax error on line 3 of <T>/main.conf: Variable name must not contain ':'");
  EXPECT_EQ(error("UnDefine a:b\n"),
            "Syntax error on line 1 of <T>/main.conf: Variable name must not contain ':'");
}

TEST_F(Variables, DefineIsNotLeftInTheTree) {
  auto r = parse("Define A\ndefine B v\nUNDEFINE A\n");
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.result->tree.empty());
  EXPECT_EQ(r.result->define_order, std::vector<std::string>{"B"});
  EXPECT_EQ(r.result->variables.at("B"), "v");
}

} // namespace
} // namespace balancerd::parser::testing
