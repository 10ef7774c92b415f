// Read-time conditional sections (<IfModule>, <IfDefine>, <IfVersion>, <IfFile>, <IfDirective>,
// <IfSection>). Truth values and error texts verified with apache2 2.4.71 -t.
#include "parser/version_condition.hpp"
#include "read_fixture.hpp"

namespace balancerd::parser::testing {
namespace {

class Conditionals : public ::testing::Test {
protected:
  ReadRun parse(const std::string& text, ReadOptions o = {}) {
    return read_text(t, hooks, text, std::move(o));
  }
  std::string error(const std::string& text) { return tidy(t, parse(text).error); }
  // Whether the body of `opener` ... `closer` is read.
  bool taken(const std::string& opener, const std::string& closer) {
    auto r = parse(opener + "\nInside\n" + closer + "\n");
    EXPECT_EQ(r.error, "") << opener;
    return r.result && !r.result->tree.empty();
  }
  TempTree t;
  FakeHooks hooks;
};

TEST_F(Conditionals, IfModuleByIdentifierOrSourceName) {
  EXPECT_TRUE(taken("<IfModule authz_core_module>", "</IfModule>"));
  EXPECT_TRUE(taken("<IfModule mod_authz_core.c>", "</IfModule>"));
  EXPECT_FALSE(taken("<IfModule mod_authz_core>", "</IfModule>")); // no ".c": no match
  EXPECT_TRUE(taken("<IfModule !mod_proxy.c>", "</IfModule>"));
  EXPECT_TRUE(taken("<IfModule \"mod_authz_core.c\">", "</IfModule>"));
  EXPECT_TRUE(taken("<ifmodule authz_core_module>", "</IFMODULE>"));
}

TEST_F(Conditionals, NegationIsSeenBeforeUnquoting) {
  EXPECT_FALSE(taken("<IfModule ! mod_authz_core.c>", "</IfModule>"));
  EXPECT_FALSE(taken("<IfModule \"!\">", "</IfModule>")); // a module named "!"
  EXPECT_FALSE(taken("<IfDefine \"!X\">", "</IfDefine>"));
  EXPECT_FALSE(taken("<IfFile \"!/etc\">", "</IfFile>"));
  EXPECT_FALSE(taken("<IfDirective \"!ServerName\">", "</IfDirective>"));
  EXPECT_TRUE(taken("<IfModule !!mod_authz_core.c>", "</IfModule>"));
  EXPECT_EQ(error("<IfModule \"\">\n</IfModule>\n"),
            "Syntax error on line 1 of <T>/main.conf: <IfModule> directive requires additional arguments");
  EXPECT_EQ(error("<IfModule !\"\">\n</IfModule>\n"),
            "Syntax error on line 1 of <T>/main.conf: <IfModule> directive requires additional arguments");
}

TEST_F(Conditionals, IfModuleLooksOnlyAtTheFirstWord) {
  EXPECT_TRUE(taken("<IfModule authz_core_module extra>", "</IfModule>"));
  EXPECT_FALSE(taken("<IfModule a b>", "</IfModule>"));
  EXPECT_TRUE(taken("<IfModule> mod_authz_core.c>", "</IfModule>")); // the last '>' counts
}

TEST_F(Conditionals, LoadModuleTakesEffectOnTheNextLine) {
  t.write("mod_x.so", "");
  auto r = parse(
      "<IfModule x_module>\nBefore\n</IfModule>\nLoadModule x_module mod_x.so\n<IfModule x_module>\nAfter\n"
      "</IfModule>\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "After\n");
  EXPECT_EQ(hooks.loaded, std::vector<std::string>{"x_module " + t.path("mod_x.so")});
}

TEST_F(Conditionals, IfDefineSeesCommandLineAndEarlierDefines) {
  ReadOptions o;
  o.defines = {"CLI"};
  auto r = parse(
      "<IfDefine CLI>\nA\n</IfDefine>\n<IfDefine LATER>\nB\n</IfDefine>\nDefine LATER\n<IfDefine LATER>\nC\n"
      "</IfDefine>\n<IfDefine !NOPE>\nD\n</IfDefine>\nUnDefine LATER\n<IfDefine LATER>\nE\n</IfDefine>\n",
      o);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "A\nC\nD\n");
}

TEST_F(Conditionals, IfDefineIsCaseSensitive) {
  ReadOptions o;
  o.defines = {"CLI"};
  auto r = parse("<IfDefine cli>\nA\n</IfDefine>\n", o);
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.result->tree.empty());
}

TEST_F(Conditionals, IfVersionAnsweredAs2_4_71) {
  EXPECT_TRUE(evaluate_ifversion(">= 2.4>"));
  EXPECT_TRUE(evaluate_ifversion("2.4.71>"));
  EXPECT_FALSE(evaluate_ifversion("= 2.4>")); // 2.4 means 2.4.0
  EXPECT_FALSE(evaluate_ifversion("2>"));
  EXPECT_TRUE(evaluate_ifversion("!= 2.4>"));
  EXPECT_TRUE(evaluate_ifversion("> 2.4.70>"));
  EXPECT_TRUE(evaluate_ifversion("< 3>"));
  EXPECT_TRUE(evaluate_ifversion("<= 2.4.71>"));
  EXPECT_TRUE(evaluate_ifversion("== 2.4.71>"));
  EXPECT_FALSE(evaluate_ifversion("< 2.2>"));
  EXPECT_TRUE(evaluate_ifversion("!> 3>"));
  EXPECT_TRUE(evaluate_ifversion("!== 3>"));
  EXPECT_TRUE(evaluate_ifversion("\"2.4.71>\""));
  EXPECT_TRUE(evaluate_ifversion("\"2.4.71\">")); // the '>' after the quote is a delimiter word
  EXPECT_TRUE(evaluate_ifversion(">= \"2.4\">"));
  EXPECT_TRUE(evaluate_ifversion("~ 2.4.71 >"));
  EXPECT_TRUE(evaluate_ifversion("> 2.>")); // empty minor is 0
  EXPECT_FALSE(evaluate_ifversion("2..4>"));
  EXPECT_TRUE(evaluate_ifversion(">= 2.4.>"));
  EXPECT_FALSE(evaluate_ifversion("99999999999999999999>"));
}

TEST_F(Conditionals, IfVersionRegexForms) {
  EXPECT_TRUE(evaluate_ifversion("~ ^2\\.4\\.>"));
  EXPECT_TRUE(evaluate_ifversion("= /^2\\.4/>"));
  EXPECT_TRUE(evaluate_ifversion("/^2\\.4/>"));
  EXPECT_FALSE(evaluate_ifversion("= /^3/>"));
  EXPECT_FALSE(evaluate_ifversion("!~ 2>"));
}

TEST_F(Conditionals, IfVersionErrors) {
  const std::string bad_version = "Version appears to be invalid. It must have the format "
                                  "major[.minor[.patch]] where major, minor and patch are "
                                  "numbers.";
  const std::pair<const char*, std::string> cases[] = {
      {">", bad_version}, // <IfVersion> alone
      {"! 2.4.71>", "unrecognized operator '!'"},
      {"!2.4.71>", bad_version},
      {"=> 2>", "unrecognized operator '=>'"},
      {"abc>", bad_version},
      {"2.4.71.1>", bad_version},
      {"2.a>", bad_version},
      {"> 2.4.7a>", bad_version},
      {">= 2>.4>", bad_version},
      {"!/^2\\.4/>", bad_version},
      {">= 2.4 extra>", "<IfVersion> directive missing closing '>'"},
      {">= 2.4 >x>", "<IfVersion> directive missing closing '>'"},
      {">= 2.4", "<IfVersion> directive missing closing '>'"},
      {"2.4.71", "<IfVersion> directive missing closing '>'"},
      {">= 2.4 > x>",
       "<IfVersion takes one, two or three arguments, a comparison operator, a version (and a delimiter)"},
      {"",
       "<IfVersion takes one, two or three arguments, a comparison operator, a version (and a delimiter)"},
      {"~ (>", "Unable to compile regular expression"},
      {"= /(/>", "Unable to compile regular expression"},
      {"/2.4>", "Missing delimiting / of regular expression."},
  };
  for (const auto& [args, message] : cases) {
    try {
      evaluate_ifversion(args);
      ADD_FAILURE() << "no error for " << args;
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(e.what(), message) << args;
    }
  }
}

TEST_F(Conditionals, IfVersionErrorIsABuildPassError) {
  EXPECT_EQ(error("x\n<IfVersion ~ (>\n</IfVersion>\n"),
            "Syntax error on line 2 of <T>/main.conf: Unable to compile regular expression");
}

TEST_F(Conditionals, IfFileAbsoluteRelativeAndNegated) {
  t.write("conf.d/a.conf", "");
  EXPECT_TRUE(taken("<IfFile " + t.path("conf.d/a.conf") + ">", "</IfFile>"));
  EXPECT_TRUE(taken("<IfFile \"conf.d/a.conf\">", "</IfFile>")); // relative to ServerRoot
  EXPECT_TRUE(taken("<IfFile conf.d>", "</IfFile>"));            // any file type
  EXPECT_TRUE(taken("<IfFile !/nonexistent>", "</IfFile>"));
  EXPECT_FALSE(taken("<IfFile /nonexistent>", "</IfFile>"));
  EXPECT_TRUE(taken("<IfFile / /nonexistent>", "</IfFile>")); // first word only
}

TEST_F(Conditionals, IfDirectiveAndIfSectionAskTheHooks) {
  EXPECT_TRUE(taken("<IfDirective ServerName>", "</IfDirective>"));
  EXPECT_TRUE(taken("<IfDirective servername>", "</IfDirective>"));
  EXPECT_TRUE(taken("<IfDirective !ProxyPass>", "</IfDirective>"));
  EXPECT_TRUE(taken("<IfSection VirtualHost>", "</IfSection>"));
  EXPECT_TRUE(taken("<IfSection !Proxy>", "</IfSection>"));
  EXPECT_FALSE(taken("<IfSection ServerName>", "</IfSection>"));
}

TEST_F(Conditionals, MissingArgumentAndMissingBracket) {
  for (const char* name : {"IfModule", "IfDefine", "IfFile", "IfDirective", "IfSection"}) {
    const std::string n = name;
    EXPECT_EQ(error("<" + n + ">\n</" + n + ">\n"),
              "Syntax error on line 1 of <T>/main.conf: <" + n + "> directive requires additional arguments");
    EXPECT_EQ(error("<" + n + " !>\n</" + n + ">\n"),
              "Syntax error on line 1 of <T>/main.conf: <" + n + "> directive requires additional arguments");
    EXPECT_EQ(error("<" + n + " x\n</" + n + ">\n"),
              "Syntax error on line 1 of <T>/main.conf: <" + n + "> directive missing closing '>'");
  }
  EXPECT_EQ(error("<IfModule\n</IfModule>\n"),
            "Syntax error on line 1 of <T>/main.conf: <IfModule> directive requires additional arguments");
  // fixture 31_ifmodule_no_args
  EXPECT_EQ(error("x\nx\n<IfModule >\n</IfModule>\n"),
            "Syntax error on line 3 of <T>/main.conf: <IfModule> directive requires additional arguments");
  EXPECT_EQ(error("<IfDefine> X\n</IfDefine>\n"),
            "Syntax error on line 1 of <T>/main.conf: <IfDefine> directive missing closing '>'");
}

TEST_F(Conditionals, TrueBodyHasItsOwnNestingStack) {
  EXPECT_EQ(error("x\n<IfModule mod_authz_core.c>\n</Directory>\n"),
            "Syntax error on line 3 of <T>/main.conf: </Directory> without matching <Directory> section");
  EXPECT_EQ(error("x\n<Location /a>\n<IfModule mod_authz_core.c>\n</Location>\n</IfModule>\n"),
            "Syntax error on line 4 of <T>/main.conf: </Location> without matching <Location> section");
  EXPECT_EQ(error("x\n<IfModule mod_authz_core.c>\n<Location /a>\n</IfModule>\n"),
            "Syntax error on line 4 of <T>/main.conf: Expected </Location> but saw </IfModule>");
}

TEST_F(Conditionals, TrueBodyEndsOnlyAtAnExactClosingLine) {
  EXPECT_EQ(error("x\n<IfModule mod_authz_core.c>\n</IfModule> x\n"),
            "Syntax error on line 3 of <T>/main.conf: </IfModule> without matching <IfModule> section");
  EXPECT_EQ(error("x\n<IfModule mod_authz_core.c>\n</IfModule\n"),
            "Syntax error on line 3 of <T>/main.conf: </IfModule without matching <IfModule section");
  EXPECT_EQ(error("x\n<IfModule mod_authz_core.c>\n</IfModulex>\n"),
            "Syntax error on line 3 of <T>/main.conf: </IfModulex> without matching <IfModulex> section");
}

TEST_F(Conditionals, TrueBodyMayRunToEndOfFile) {
  // apache2 accepts both, unclosed Location included
  auto r = parse("<IfModule mod_authz_core.c>\n<Location /a>\nRequire all granted\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "<Location /a>\n  Require all granted\n");
  EXPECT_EQ(error("x\n<VirtualHost *:80>\n<IfModule mod_authz_core.c>\n"),
            "Syntax error on line 2 of <T>/main.conf: <T>/main.conf:2: <VirtualHost> was not closed.");
}

TEST_F(Conditionals, FalseBodyIsNotInterpreted) {
  auto r =
      parse("<IfModule !mod_authz_core.c>\nDefine X\nInclude /nonexistent\n${UNDEFINED_VAR}\n<Location /a>\n"
            "</location>\n</IfModule>\n<IfDefine X>\nY\n</IfDefine>\n");
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.result->tree.empty());
  EXPECT_TRUE(hooks.logs.empty()); // no AH00111 for skipped lines
  EXPECT_EQ(parse("<IfModule !mod_authz_core.c>\n</IfModule> x\n").error, "");
}

TEST_F(Conditionals, FalseBodyNestingErrorsNameTheOpenerLine) {
  EXPECT_EQ(error("x\n<IfModule !mod_authz_core.c>\n</Directory>\n"),
            "Syntax error on line 2 of <T>/main.conf: Expected </IfModule> but saw </Directory>");
  EXPECT_EQ(error("x\n<ifmodule !mod_authz_core.c>\n<location /a>\n</Directory>\n</IfModule>\n"),
            "Syntax error on line 2 of <T>/main.conf: Expected </location> but saw </Directory>");
  EXPECT_EQ(error("x\n<IfModule !mod_authz_core.c>\n</IfModule\n"),
            "Syntax error on line 2 of <T>/main.conf: Expected </IfModule> but saw </IfModul>");
  EXPECT_EQ(error("x\n<IfModule !mod_authz_core.c>\n<Location\n</Location\n</IfModule>\n"),
            "Syntax error on line 2 of <T>/main.conf: Expected </Location> but saw </Locatio>");
  EXPECT_EQ(error("x\n<IfModule !mod_authz_core.c>\n</\n</IfModule>\n"),
            "Syntax error on line 2 of <T>/main.conf: Expected </IfModule> but saw <>");
  EXPECT_EQ(error("x\n<IfModule !mod_authz_core.c>\n<\n</IfModule>\n"),
            "Syntax error on line 2 of <T>/main.conf: Expected </> but saw </IfModule>");
  EXPECT_EQ(error("x\n<IfModule !mod_authz_core.c>\n\"<Location\" /a>\n</IfModule>\n"),
            "Syntax error on line 2 of <T>/main.conf: Expected </Location> but saw </IfModule>");
  EXPECT_EQ(error("x\n<VirtualHost *:80>\n</VirtualHost>\n<ifdefine X>\n</location>\n"),
            "Syntax error on line 4 of <T>/main.conf: Expected </IfDefine> but saw </location>");
}

TEST_F(Conditionals, FalseBodyAtEndOfFile) {
  EXPECT_EQ(error("x\n<IfModule !mod_authz_core.c>\n"),
            "Syntax error on line 2 of <T>/main.conf: Expected </IfModule> before end of configuration");
  EXPECT_EQ(error("x\n<IfModule !mod_authz_core.c>\n<Location /a>\n<Foo>\n"),
            "Syntax error on line 2 of <T>/main.conf: Expected </Foo> before end of configuration");
}

TEST_F(Conditionals, IndentedLinesInFalseBody) {
  EXPECT_EQ(
      parse("<IfModule !mod_authz_core.c>\n  <Location /a>  \n   </Location>  \n </IfModule>  \nZ\n").error,
      "");
}

TEST_F(Conditionals, ExtraTextAfterBracketIsIgnored) {
  // fixture 52_ifmodule_extra_text_after_gt
  EXPECT_TRUE(taken("<IfModule mod_authz_core.c> trailing", "</IfModule>"));
}

TEST_F(Conditionals, DefinesInsideSectionsAreGlobalAndFollowReadOrder) {
  auto r = parse("<VirtualHost *:80>\nDefine IN_VHOST v\n</VirtualHost>\nServerName ${IN_VHOST}\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.result->tree[1].args, "v");
}

TEST_F(Conditionals, CondDumpRunCfgFixture) {
  // The "Define / conditional sections" fixture of configtest-captures.md, run through our pass.
  t.write("conf.d/a.conf", "");
  ::setenv("HOME_TEST_VAR", "from-env", 1);
  ReadOptions o;
  o.defines = {"DUMP_RUN_CFG", "CLI"};
  auto r = parse(
      "ServerName localhost\nDefine FOO bar\nDefine EMPTY\n<IfDefine FOO>\nDefine R1 "
      "foo-defined\n</IfDefine>\n"
      "<IfDefine !NOPE>\nDefine R2 nope-not-defined\n</IfDefine>\n<IfDefine CLI>\nDefine R3 "
      "cli-defined\n</IfDefine>\n"
      "<IfModule mod_authz_core.c>\nDefine R4 by-source-name\n</IfModule>\n<IfModule authz_core_module>\n"
      "Define R5 by-module-id\n</IfModule>\n<IfModule !mod_proxy.c>\nDefine R6 proxy-absent\n</IfModule>\n"
      "<IfModule mod_authz_core>\nDefine R6b no-dot-c\n</IfModule>\n<IfModule mod_version.c>\n<IfVersion >= "
      "2.4>\n"
      "Define R7 version-ge-2.4\n</IfVersion>\n<IfVersion ~ ^2\\.4\\.>\nDefine R8 "
      "version-regex\n</IfVersion>\n"
      "<IfVersion = /^2\\.4/>\nDefine R8b version-slash-regex\n</IfVersion>\n<IfVersion < 2.2>\nDefine R9 "
      "should-not\n"
      "</IfVersion>\n</IfModule>\n<IfDirective ServerName>\nDefine R10 ifdirective\n</IfDirective>\n"
      "<IfDirective !ProxyPass>\nDefine R11 no-proxypass-directive\n</IfDirective>\n<IfSection VirtualHost>\n"
      "Define R12 ifsection-vhost\n</IfSection>\n<IfSection !Proxy>\nDefine R13 "
      "no-proxy-section\n</IfSection>\n"
      "<IfFile " +
          t.path("main.conf") +
          ">\nDefine R14 iffile-abs\n</IfFile>\n<IfFile !/nonexistent>\nDefine R15 iffile-neg\n</IfFile>\n"
          "<IfFile \"conf.d/a.conf\">\nDefine R16 iffile-rel-serverroot\n</IfFile>\nDefine V \"${FOO}-x\"\n"
          "Define HOMEV ${HOME_TEST_VAR}\nDefine VAL_OF_EMPTY \"[${EMPTY}]\"\nUnDefine FOO\n<IfDefine FOO>\n"
          "Define R17 foo-still\n</IfDefine>\nDefine AFTER \"${FOO}\"\n",
      o);
  ASSERT_EQ(r.error, "");
  const std::vector<std::string> order = {
      "DUMP_RUN_CFG", "CLI", "VAL_OF_EMPTY", "EMPTY", "R1",  "R2",  "R3",  "R4",  "R5", "R6",    "R7",   "R8",
      "R8b",          "R10", "R11",          "R12",   "R13", "R14", "R15", "R16", "V",  "HOMEV", "AFTER"};
  EXPECT_EQ(r.result->define_order, order);
  EXPECT_EQ(r.result->variables.at("V"), "bar-x");
  EXPECT_EQ(r.result->variables.at("HOMEV"), "from-env");
  EXPECT_EQ(r.result->variables.at("VAL_OF_EMPTY"), "[${EMPTY}]");
  EXPECT_EQ(r.result->variables.at("AFTER"), "${FOO}");
  EXPECT_EQ(r.result->variables.count("EMPTY"), 0u);
  EXPECT_EQ(hooks.logs,
            (std::vector<std::string>{"[core:warn] AH00111: Config variable ${EMPTY} is not defined",
                                      "[core:warn] AH00111: Config variable ${FOO} is not defined"}));
  EXPECT_EQ(outline(*r.result), "ServerName localhost\n");
}

} // namespace
} // namespace balancerd::parser::testing
