// mod_macro at read time. Every expected text was produced by apache2 2.4.71 -t on the same input
// (with /tmp/mac/t.conf in place of <T>/main.conf; the config started with one Include line, so
// Apache's line numbers there are one higher than here).
#include "parser/macro.hpp"
#include "read_fixture.hpp"

namespace balancerd::parser::testing {
namespace {

class Macros : public ::testing::Test {
protected:
  Macros() {
    for (const char* d : {"<Macro", "Use", "UndefMacro", "KeepAlive", "Define"})
      hooks.directives[ascii_lower(d)] = d;
  }
  ReadRun parse(const std::string& text) { return read_text(t, hooks, text); }
  std::string error(const std::string& text) { return tidy(t, parse(text).error); }
  std::vector<std::string> warnings(const std::string& text) {
    hooks.logs.clear();
    auto r = parse(text);
    EXPECT_EQ(r.error, "");
    std::vector<std::string> out;
    for (auto& l : hooks.logs) out.push_back(tidy(t, l));
    return out;
  }
  // The expanded tree as "name args @file:line" lines.
  std::string expanded(const std::string& text) {
    auto r = parse(text);
    EXPECT_EQ(r.error, "");
    std::string s;
    if (!r.result) return s;
    std::function<void(const std::vector<Node>&, int)> walk = [&](const std::vector<Node>& ns, int depth) {
      for (const auto& n : ns) {
        s += std::string(static_cast<std::size_t>(depth) * 2, ' ') + n.name + " " + n.args + " @" +
             tidy(t, *n.file) + ":" + std::to_string(n.line) + "\n";
        walk(n.children, depth + 1);
      }
    };
    walk(r.result->tree, 0);
    return s;
  }
  TempTree t;
  FakeHooks hooks;
};

const std::string kDefTwo = "defined on line 1 of \"<T>/main.conf\"";

TEST_F(Macros, ExpansionNamesTheMacroAndItsUse) {
  EXPECT_EQ(
      expanded("<Macro VHost $name $port>\n"
               "  <VirtualHost *:$port>\n"
               "    ServerName $name\n"
               "  </VirtualHost>\n"
               "</Macro>\n"
               "Use VHost a.example 8080\n"
               "KeepAlive On\n"),
      "<VirtualHost *:8080> @macro 'vhost' (defined on line 1 of \"<T>/main.conf\") used on line 6 of "
      "\"<T>/main.conf\":1\n"
      "  ServerName a.example @macro 'vhost' (defined on line 1 of \"<T>/main.conf\") used on line 6 of "
      "\"<T>/main.conf\":2\n"
      "KeepAlive On @<T>/main.conf:7\n");
}

TEST_F(Macros, LineNumbersCountBlankLinesButNotComments) {
  auto lines = [&](const std::string& body) {
    auto r = parse("<Macro A>\n" + body + "</Macro>\nUse A\n");
    EXPECT_EQ(r.error, "");
    return r.result && !r.result->tree.empty() ? r.result->tree.back().line : 0u;
  };
  EXPECT_EQ(lines("\nKeepAlive bad\n"), 2u);
  EXPECT_EQ(lines("\n\nKeepAlive bad\n"), 3u);
  EXPECT_EQ(lines("#c\nKeepAlive bad\n"), 1u);
  EXPECT_EQ(lines("#c\n#d\nKeepAlive bad\n"), 1u);
  EXPECT_EQ(lines("\n# comment\n\nKeepAlive bad\n"), 3u);
  EXPECT_EQ(lines("KeepAlive On\n#c\nKeepAlive bad\n"), 2u);
  EXPECT_EQ(lines("KeepAlive On\n\n\n\nKeepAlive bad\n"), 5u);
  EXPECT_EQ(lines("  KeepAlive \\\n  bad\n"), 1u);
}

TEST_F(Macros, SubstitutionIsTextualLongestNameOnATie) {
  EXPECT_EQ(substitute_macro_args("Define X $ab-$a", {"$a", "$ab"}, {"1", "2"}), "Define X 2-1");
  EXPECT_EQ(substitute_macro_args("ServerAdmin $x$y", {"$x", "$y"}, {"$y", "Q"}), "ServerAdmin $yQ");
  EXPECT_EQ(substitute_macro_args("Define X %a$a", {"$a"}, {"7"}), "Define X %a7");
  // a quoted value loses its quotes in Use and is pasted as is: two words here
  EXPECT_EQ(
      error("<Macro T $a>\nDefine X $a\n</Macro>\nUse T \"hello world\"\n"),
      "Syntax error on line 1 of macro 't' (" + kDefTwo +
          ") used on line 4 of \"<T>/main.conf\": Define takes 1-2 arguments, Define a variable, optionally "
          "to a value.  Same as passing -D to the command line.");
  EXPECT_EQ(
      parse("<Macro T $a>\nDefine X \"$a\"\n</Macro>\nUse T \"hello world\"\n").result->variables.at("X"),
      "hello world");
}

TEST_F(Macros, SectionsMaySpanTheExpansion) {
  EXPECT_EQ(warnings("<Macro T $a>\n  <VirtualHost *:80>\n</Macro>\nUse T 1\n</VirtualHost>\n"),
            (std::vector<std::string>{
                "[macro:warn] AH02795: bad cumulated nesting (+1) in macro 't' (" + kDefTwo + ")",
                "[macro:warn] AH02800: macro 't' (" + kDefTwo + "): argument '$a' (#1) never used"}));
  hooks.logs.clear();
  EXPECT_EQ(error("<Macro A $x>\n</Directory>\n</Macro>\nUse A 1\n"),
            "Syntax error on line 1 of macro 'a' (" + kDefTwo +
                ") used on line 4 of \"<T>/main.conf\": </Directory> without matching <Directory> section");
  EXPECT_EQ(hooks.logs.front(),
            "[macro:warn] AH02793: bad (negative) nesting on line 2 of macro 'a' (defined "
            "on line 1 of \"" +
                t.root() + "/main.conf\")");
}

TEST_F(Macros, UseErrors) {
  EXPECT_EQ(error("Use Nothing x\n"), "Syntax error on line 1 of <T>/main.conf: no macro defined before Use");
  EXPECT_EQ(error("<Macro A $x>\nKeepAlive On\n</Macro>\nUse B 1\n"),
            "Syntax error on line 4 of <T>/main.conf: macro 'b' undefined");
  EXPECT_EQ(error("<Macro A>\nKeepAlive On\n</Macro>\nUse\n"),
            "Syntax error on line 4 of <T>/main.conf: no macro name specified with Use");
  EXPECT_EQ(error("<Macro Two $a $b>\n  Define $a $b\n</Macro>\nUse Two only-one\n"),
            "Syntax error on line 4 of <T>/main.conf: macro 'two' (" + kDefTwo +
                ") used with 1 arguments instead of 2");
  EXPECT_EQ(error("<Macro A>\nKeepAlive On\n</Macro>\nUse A extra\n"),
            "Syntax error on line 4 of <T>/main.conf: macro 'a' (" + kDefTwo +
                ") used with 1 arguments instead of 0");
  EXPECT_EQ(error("<Macro Two $a>\nUse Two 1\n</Macro>\nUse Two 1\n"),
            "Syntax error on line 1 of macro 'two' (" + kDefTwo +
                ") used on line 4 of \"<T>/main.conf\": recursive use of macro 'two' is invalid");
  // a false <IfModule> inside the body hides the recursive Use
  EXPECT_EQ(error("<Macro A $x>\n<IfModule nonexist>\nUse A 1\n</IfModule>\n</Macro>\nUse A 1\n"), "");
  EXPECT_EQ(warnings("<Macro A $x>\nKeepAlive $x\n</Macro>\nUse A \"\"\n"),
            (std::vector<std::string>{"[macro:warn] AH02798: macro 'a' (" + kDefTwo +
                                      ") used on line 4 of \"<T>/main.conf\": empty argument #1"}));
}

TEST_F(Macros, UndefMacro) {
  EXPECT_EQ(error("UndefMacro X\n"),
            "Syntax error on line 1 of <T>/main.conf: no macro defined before UndefMacro");
  EXPECT_EQ(error("<Macro A $x>\nKeepAlive $x\n</Macro>\nUndefMacro B\n"),
            "Syntax error on line 4 of <T>/main.conf: cannot remove undefined macro 'b'");
  EXPECT_EQ(error("<Macro A $x>\nKeepAlive $x\n</Macro>\nUndefMacro A\nUse A On\n"),
            "Syntax error on line 5 of <T>/main.conf: macro 'a' undefined");
  EXPECT_EQ(
      error("<Macro A>\nKeepAlive On\n</Macro>\nUndefMacro a b\n"),
      "Syntax error on line 4 of <T>/main.conf: UndefMacro takes one argument, Remove a macro definition.");
}

TEST_F(Macros, DefinitionErrors) {
  EXPECT_EQ(error("<Macro A $x\nKeepAlive $x\n</Macro>\n"),
            "Syntax error on line 1 of <T>/main.conf: <Macro> directive missing closing '>'");
  EXPECT_EQ(error("<Macro>\n</Macro>\n"),
            "Syntax error on line 1 of <T>/main.conf: <Macro macro definition: empty name");
  EXPECT_EQ(error("<Macro >\n"),
            "Syntax error on line 1 of <T>/main.conf: <Macro macro definition: empty name");
  EXPECT_EQ(error("</Macro>\n"),
            "Syntax error on line 1 of <T>/main.conf: </Macro> without matching <Macro> section");
  EXPECT_EQ(error("<Macro Two $a>\nKeepAlive On\n"),
            "Syntax error on line 1 of <T>/main.conf: macro 'two' (" + kDefTwo +
                ")\\n\\tcontents error: expected token not found: </Macro>");
  EXPECT_EQ(error("<Macro A $x>\nKeepAlive On\n</Macro  >\nUse A 1\n").substr(0, 40),
            "Syntax error on line 1 of <T>/main.conf:");
  EXPECT_EQ(error("<Macro Two $a $a>\nKeepAlive On\n</Macro>\n"),
            "Syntax error on line 1 of <T>/main.conf: argument name conflict in macro 'two' (" + kDefTwo +
                "): argument '$a': #1 and #2, change argument names!");
}

TEST_F(Macros, DefinitionWarnings) {
  EXPECT_EQ(
      warnings("<Macro Two a b>\n  Define X a\n</Macro>\nUse Two 1 2\n"),
      (std::vector<std::string>{
          "[macro:warn] AH02796: macro 'two' (" + kDefTwo +
              ") argument name 'a' (#1) without expected prefix, better prefix argument names with one of "
              "'$%@'.",
          "[macro:warn] AH02796: macro 'two' (" + kDefTwo +
              ") argument name 'b' (#2) without expected prefix, better prefix argument names with one of "
              "'$%@'.",
          "[macro:warn] AH02800: macro 'two' (" + kDefTwo + "): argument 'b' (#2) never used"}));
  EXPECT_EQ(
      warnings("<Macro Two $a $ab>\n  Define X $ab\n</Macro>\nUse Two 1 2\n"),
      (std::vector<std::string>{
          "[macro:warn] AH02797: macro 'two' (" + kDefTwo +
              "): argument name prefix conflict ($a #1 and $ab #2), be careful about your macro definition!",
          "[macro:warn] AH02800: macro 'two' (" + kDefTwo + "): argument '$a' (#1) never used"}));
  EXPECT_EQ(
      warnings("<Macro Two $a>\n</Macro>\nUse Two 1\n"),
      (std::vector<std::string>{"[macro:warn] AH02799: macro 'two' (" + kDefTwo + "): empty contents!"}));
  EXPECT_EQ(warnings("<Macro Two $a>\nKeepAlive On\n</Macro>\n<Macro two $a>\nKeepAlive On #$a\n</Macro>\n"),
            (std::vector<std::string>{"[macro:warn] AH02800: macro 'two' (" + kDefTwo +
                                          "): argument '$a' (#1) never used",
                                      "[macro:warn] AH02802: macro 'two' multiply defined: " + kDefTwo +
                                          ", redefined on line 4 of \"<T>/main.conf\""}));
  EXPECT_EQ(warnings("<Macro A>\nKeepAlive On\n</Macro> junk\nUse A\n"),
            (std::vector<std::string>{"[macro:warn] AH02794: non blank chars found after directive closing "
                                      "on line 3 of <T>/main.conf:  junk"}));
}

TEST_F(Macros, IgnoreDirectivesSilenceTheirWarningsFromWhereTheyAre) {
  hooks.directives["macroignoreemptyargs"] = "MacroIgnoreEmptyArgs";
  hooks.directives["macroignorebadnesting"] = "MacroIgnoreBadNesting";
  EXPECT_EQ(warnings("MacroIgnoreEmptyArgs\n<Macro A $x>\nKeepAlive On $x\n</Macro>\nUse A \"\"\n"),
            std::vector<std::string>{});
  EXPECT_EQ(warnings("<Macro A $x>\nKeepAlive On $x\n</Macro>\nUse A \"\"\nMacroIgnoreEmptyArgs\n").size(),
            1u);
  EXPECT_EQ(
      warnings("<VirtualHost *:80>\nMacroIgnoreBadNesting x\n</VirtualHost>\n<Macro A $x>\n<Location "
               "/>\n</Macro>\n"),
      (std::vector<std::string>{"[macro:warn] AH02800: macro 'a' (defined on line 4 of \"<T>/main.conf\"): "
                                "argument '$x' (#1) never used"}));
}

TEST_F(Macros, NestedDefinitionsAndVariables) {
  EXPECT_EQ(error("<Macro A>\n<Macro B>\nKeepAlive On\n</Macro>\n</Macro>\nUse A\nUse B\n"), "");
  auto r = parse("<Macro A $x>\nDefine Y ${X}$x\n</Macro>\nDefine X q\nUse A 1\n");
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.result->variables.at("Y"), "q1"); // ${X} is resolved when the expanded line is read
}

TEST_F(Macros, WithoutTheModuleTheLinesStayDirectives) {
  hooks.directives.erase("<macro");
  hooks.directives.erase("use");
  auto r = parse("<Macro A>\nKeepAlive On\n</Macro>\nUse A\n");
  ASSERT_TRUE(r.result);
  EXPECT_EQ(outline(*r.result), "<Macro A>\n  KeepAlive On\nUse A\n");
}

} // namespace
} // namespace balancerd::parser::testing
