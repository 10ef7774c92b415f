// Include / IncludeOptional and -C/-c, verified with apache2 2.4.71 (configtest-captures.md
// "DUMP_INCLUDES ordering fixture" and probes of the same trees).
#include "read_fixture.hpp"

#include "parser/include_paths.hpp"

#include <sys/stat.h>

namespace balancerd::parser::testing {
namespace {

class Includes : public ::testing::Test {
protected:
  ReadRun parse(const std::string& text, ReadOptions o = {}) {
    return read_text(t, hooks, text, std::move(o));
  }
  std::string error(const std::string& text, ReadOptions o = {}) {
    return tidy(t, parse(text, std::move(o)).error);
  }
  std::string dump(const ReadResult& r) {
    std::string s;
    for (const auto& rec : r.includes)
      s += std::to_string(rec.depth) + " (" + std::to_string(rec.included_at) + ") " + tidy(t, rec.path) +
           "\n";
    return s;
  }
  // The tree of the capture: conf.d with mixed names, a nested directory, an empty directory.
  void capture_tree() {
    for (const char* n : {"b.conf", "a.conf", "C.conf", "10-x.conf", "2-y.conf", "z.txt", "x.conf~"})
      t.write(std::string("conf.d/") + n, std::string("N ") + n + "\n");
    t.write("conf.d/.hidden.conf", "Invalid\n");
    t.write("sub/s.conf", "N s\n");
    t.write("sub/deeper/d.conf", "N d\n");
    t.mkdir("empty");
  }
  TempTree t;
  FakeHooks hooks;
};

TEST_F(Includes, CaptureFixtureOrderAndDumpRecords) {
  capture_tree();
  t.write("base.conf", "");
  auto r =
      parse("Include " + t.path("base.conf") +
            "\nServerName localhost\nInclude conf.d/*.conf\nInclude sub\nIncludeOptional nomatch/*.conf\n"
            "IncludeOptional conf.d/nomatch*.conf\nInclude empty\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(
      dump(*r.result),
      "0 (0) <T>/main.conf\n1 (1) <T>/base.conf\n1 (3) <T>/conf.d/10-x.conf\n1 (3) <T>/conf.d/2-y.conf\n"
      "1 (3) <T>/conf.d/C.conf\n1 (3) <T>/conf.d/a.conf\n1 (3) <T>/conf.d/b.conf\n1 (4) "
      "<T>/sub/deeper/d.conf\n"
      "1 (4) <T>/sub/s.conf\n");
  EXPECT_EQ(outline(*r.result),
            "ServerName localhost\nN 10-x.conf\nN 2-y.conf\nN C.conf\nN a.conf\nN b.conf\nN d\nN s\n");
}

TEST_F(Includes, WildcardWithoutMatchFails) {
  capture_tree();
  EXPECT_EQ(error("x\nx\nInclude conf.d/nomatch*.conf\n"),
            "Syntax error on line 3 of <T>/main.conf: Include/IncludeOptional: No matches for the wildcard "
            "'nomatch*.conf' in '<T>/conf.d', failing");
}

TEST_F(Includes, WildcardInMissingDirectoryFails) {
  EXPECT_EQ(
      error("x\nx\nInclude " + t.path("nodir/*.conf") + "\n"),
      "Syntax error on line 3 of <T>/main.conf: Include/IncludeOptional: Could not open directory <T>/nodir: "
      "No such file or directory");
}

TEST_F(Includes, OptionalIgnoresMissingFilesDirectoriesAndNoMatch) {
  capture_tree();
  auto r =
      parse("IncludeOptional missing.conf\nIncludeOptional nodir/*.conf\nIncludeOptional nodir/*/x/*.conf\n"
            "IncludeOptional conf.d/none*.conf\n");
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.result->tree.empty());
}

TEST_F(Includes, WildcardDirectoryComponentReadsMatchesInOrderThenFails) {
  capture_tree();
  auto r = parse("x\nx\nInclude " + t.path("*/*.conf") + "\n");
  EXPECT_EQ(tidy(t, r.error),
            "Syntax error on line 3 of <T>/main.conf: Include/IncludeOptional: No matches for the "
            "wildcard '*.conf' in '<T>/empty', failing");
}

TEST_F(Includes, FilesReadBeforeAnErrorAreReportedWithIt) {
  // apache2 -D DUMP_INCLUDES on the inc5 capture lists base.conf and conf.d/* before the error
  capture_tree();
  t.write("main.conf", "Include conf.d/a.conf\nInclude " + t.path("*/*.conf") + "\n");
  ReadOptions o;
  o.server_root = t.root();
  o.config_file = "main.conf";
  try {
    read_config(o, hooks);
    FAIL() << "no error";
  } catch (const ReadError& e) {
    std::string s;
    for (const auto& rec : e.includes)
      s += std::to_string(rec.depth) + " (" + std::to_string(rec.included_at) + ") " + tidy(t, rec.path) +
           "\n";
    EXPECT_EQ(s, "0 (0) <T>/main.conf\n1 (1) <T>/conf.d/a.conf\n1 (2) <T>/conf.d/10-x.conf\n1 (2) "
                 "<T>/conf.d/2-y.conf\n"
                 "1 (2) <T>/conf.d/C.conf\n1 (2) <T>/conf.d/a.conf\n1 (2) <T>/conf.d/b.conf\n");
  }
}

TEST_F(Includes, WildcardDirectoryComponentMatchesOnlyDirectories) {
  t.write("d1/x.conf", "A\n");
  t.write("d2/x.conf", "B\n");
  t.write("dfile", "C\n"); // a regular file matching d* is not a directory
  auto r = parse("Include d*/x.conf\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "A\nB\n");
}

TEST_F(Includes, DotFilesNeedAnExplicitDot) {
  capture_tree();
  auto r = parse("Include conf.d/.*.conf\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "Invalid\n");
}

TEST_F(Includes, QuestionMarkAndClassWildcards) {
  t.write("c/a1.conf", "A1\n");
  t.write("c/a2.conf", "A2\n");
  t.write("c/b1.conf", "B1\n");
  auto r = parse("Include c/a?.conf\nInclude c/[b]1.conf\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "A1\nA2\nB1\n");
}

TEST_F(Includes, DirectoryIncludesEverythingIncludingDotFiles) {
  t.write("d/.hidden", "H\n");
  t.write("d/plain.txt", "P\n");
  auto r = parse("Include d\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "H\nP\n");
}

TEST_F(Includes, WildcardMatchingADirectoryIncludesItRecursively) {
  t.write("m/sub.conf/inner", "I\n");
  t.write("m/z.conf", "Z\n");
  auto r = parse("Include m/*.conf\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "I\nZ\n");
}

TEST_F(Includes, EmptyDirectoryIsFine) {
  t.mkdir("empty");
  EXPECT_EQ(parse("Include empty\n").error, "");
}

TEST_F(Includes, MissingFile) {
  // fixture 10_missing_include
  EXPECT_EQ(error("x\nServerName localhost\nInclude " + t.path("does-not-exist.conf") + "\n"),
            "Syntax error on line 3 of <T>/main.conf: Could not open configuration file "
            "<T>/does-not-exist.conf: No "
            "such file or directory");
}

TEST_F(Includes, RelativePathsAreNormalisedAgainstServerRoot) {
  t.mkdir("root");
  ReadOptions o;
  o.server_root = t.path("root");
  o.config_file = "../main.conf";
  t.write("main.conf", "Include ./nonexist.conf\n");
  EXPECT_EQ(tidy(t, read_with(t, hooks, o).error), "Syntax error on line 1 of <T>/main.conf: Could not open "
                                                   "configuration file <T>/root/nonexist.conf: No such "
                                                   "file or directory");
  t.write("main.conf", "Include ../x/../nonexist.conf\n");
  EXPECT_EQ(tidy(t, read_with(t, hooks, o).error), "Syntax error on line 1 of <T>/main.conf: Could not open "
                                                   "configuration file <T>/nonexist.conf: No such file "
                                                   "or directory");
  t.write("main.conf", "Include a//b.conf\n");
  EXPECT_EQ(tidy(t, read_with(t, hooks, o).error), "Syntax error on line 1 of <T>/main.conf: Could not open "
                                                   "configuration file <T>/root/a/b.conf: No such file "
                                                   "or directory");
}

TEST_F(Includes, ServerRootChangeAffectsLaterIncludes) {
  t.write("other/x.conf", "FromOther\n");
  auto r = parse("ServerRoot " + t.path("other") + "\nInclude x.conf\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "FromOther\n");
  EXPECT_EQ(r.result->server_root, t.path("other"));
}

TEST_F(Includes, ErrorsInNestedFilesArePrefixedPerLevel) {
  t.write("a.conf", "x\nInclude b.conf\n");
  t.write("b.conf", "x\nx\n<Location /a>\n</Directory>\n");
  EXPECT_EQ(error("x\nInclude a.conf\n"), "Syntax error on line 2 of <T>/main.conf: Syntax error on line 2 "
                                          "of <T>/a.conf: Syntax error on line 4 of "
                                          "<T>/b.conf: Expected </Location> but saw </Directory>");
}

TEST_F(Includes, RecursionStopsAtDepth128) {
  // fixture 32_include_recursion: one prefix per file level (main + 128 nested)
  t.write("rec.conf", "Include " + t.path("rec.conf") + "\n");
  ReadOptions o;
  o.config_file = "rec.conf";
  auto r = read_with(t, hooks, o);
  std::string one = "Syntax error on line 1 of " + t.path("rec.conf") + ": ";
  std::string expected;
  for (int i = 0; i < 129; ++i) expected += one;
  expected += "Exceeded maximum include depth of 128, There appears to be a recursion.";
  EXPECT_EQ(r.error, expected);
}

TEST_F(Includes, DirectoryNestingStopsAt128) {
  std::string rel = "dl";
  for (int i = 0; i < 130; ++i) rel += "/d";
  t.write(rel + "/x.conf", "X\n");
  std::string deep = t.path("dl");
  for (int i = 0; i < 128; ++i) deep += "/d";
  EXPECT_EQ(parse("x\nInclude dl\n").error, "Syntax error on line 2 of " + t.path("main.conf") +
                                                ": Include/IncludeOptional: Directory '" + deep +
                                                "' exceeds the maximum include directory nesting level of "
                                                "128. You have probably a recursion somewhere.");
}

TEST_F(Includes, SymlinkLoopEndsWithAnOpenError) {
  t.write("loop/a.conf", "A\n");
  ASSERT_EQ(::symlink(".", t.path("loop/again").c_str()), 0);
  auto r = parse("Include loop\n");
  EXPECT_NE(r.error.find("Too many levels of symbolic links"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.rfind("Syntax error on line 1 of " + t.path("main.conf") +
                              ": Could not open configuration file " + t.path("loop/again/again"),
                          0),
            0u)
      << r.error;
}

TEST_F(Includes, FifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo(t.path("fifo").c_str(), 0600), 0);
  EXPECT_EQ(error("Include fifo\n"), "Syntax error on line 1 of <T>/main.conf: Could not open configuration "
                                     "file <T>/fifo: Bad file descriptor");
  EXPECT_EQ(hooks.logs.back(), "[core:error] AH00554: Access to file " + t.path("fifo") +
                                   " denied by server: not a regular file");
}

TEST_F(Includes, LineTooLongInIncludedFile) {
  t.write("long.inc", "# a\n# b\nFoo " + std::string(17 * 1024 * 1024, 'A') + "\n");
  EXPECT_EQ(error("\n\nInclude long.inc\n"),
            "Syntax error on line 3 of <T>/main.conf: Error reading <T>/long.inc at line 3: Line too long");
}

TEST_F(Includes, LineTooLongInMainFileNamesTheLastDirective) {
  // apache2: "Syntax error on line 1 of F: Error reading F at line 3: Line too long"
  t.write("base.conf", "");
  EXPECT_EQ(error("Include base.conf\n# x\nServerName " + std::string(17 * 1024 * 1024, 'A') + "\nFooBar\n"),
            "Syntax error on line 1 of <T>/main.conf: Error reading <T>/main.conf at line 3: Line too long");
}

TEST_F(Includes, LineTooLongNamesTheLastReadTimeDirectiveOnly) {
  // apache2 2.4.71: ordinary directives (ServerName, Listen, sections' bodies, closing tags) do not
  // move the line the prefix names; Include, Define, UnDefine and the <If*> openers do.
  t.write("base.conf", "");
  const std::string big(17 * 1024 * 1024, 'z');
  EXPECT_EQ(error("Include base.conf\nServerName localhost\nDefine HUGE " + big + "\n"),
            "Syntax error on line 1 of <T>/main.conf: Error reading <T>/main.conf at line 3: Line too long");
  EXPECT_EQ(error("ServerName localhost\nInclude base.conf\nListen 80\nDefine X y\nServerAdmin x\n# c\n"
                  "Define HUGE " +
                  big + "\n"),
            "Syntax error on line 4 of <T>/main.conf: Error reading <T>/main.conf at line 7: Line too long");
  EXPECT_EQ(error("ServerName localhost\nListen 80\nDefine HUGE " + big + "\n"),
            "Error reading <T>/main.conf at line 3: Line too long");
  EXPECT_EQ(
      error("Include base.conf\n<IfModule nonexist>\nFoo\n</IfModule>\nServerName x\nFoo " + big + "\n"),
      "Syntax error on line 2 of <T>/main.conf: Error reading <T>/main.conf at line 6: Line too long");
  EXPECT_EQ(error("Include base.conf\n<VirtualHost *:80>\nServerName x\nFoo " + big + "\n"),
            "Syntax error on line 1 of <T>/main.conf: Error reading <T>/main.conf at line 4: Line too long");
  EXPECT_EQ(error("Include base.conf\nUnDefine X\nServerName x\nFoo " + big + "\n"),
            "Syntax error on line 2 of <T>/main.conf: Error reading <T>/main.conf at line 4: Line too long");
  EXPECT_EQ(error("Include base.conf\n<IfDefine !X>\nServerName x\nFoo " + big + "\n"),
            "Syntax error on line 2 of <T>/main.conf: Error reading <T>/main.conf at line 4: Line too long");
}

TEST_F(Includes, DevNullIsReadAsAnEmptyFile) {
  // apache2: "Include /dev/null" (also as /dev/../dev/null or the pattern /dev/nul[l]) is Syntax OK;
  // any other character device, or a symlink to /dev/null, is refused as not a regular file.
  auto r = parse("ServerName x\nInclude /dev/null\nInclude /dev/../dev/nul[l]\nListen 80\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "ServerName x\nListen 80\n");
  EXPECT_EQ(dump(*r.result), "0 (0) <T>/main.conf\n1 (2) /dev/null\n1 (3) /dev/null\n");
  EXPECT_EQ(error("x\nInclude /dev/zero\n"),
            "Syntax error on line 2 of <T>/main.conf: Could not open configuration file /dev/zero: Bad file "
            "descriptor");
  ASSERT_EQ(::symlink("/dev/null", t.path("nul").c_str()), 0);
  EXPECT_EQ(error("x\nInclude nul\n"),
            "Syntax error on line 2 of <T>/main.conf: Could not open configuration file <T>/nul: Bad file "
            "descriptor");
}

TEST(IncludePaths, RelativeServerRootStaysAsWritten) {
  // apache2 -d BASE -f FILE -D DUMP_INCLUDES, as printed for each BASE / FILE pair
  EXPECT_EQ(resolve_path(".", "main.conf"), "./main.conf");
  EXPECT_EQ(resolve_path("./", "main.conf"), "./main.conf");
  EXPECT_EQ(resolve_path(".", "./main.conf"), "./main.conf");
  EXPECT_EQ(resolve_path("sub/", "conf/../base.conf"), "sub/base.conf");
  EXPECT_EQ(resolve_path("./sub/./", "./base.conf"), "./sub/./base.conf");
  EXPECT_EQ(resolve_path("sub//x/../", "main.conf"), "sub//x/../main.conf");
  EXPECT_EQ(resolve_path("sub", "../sub/base.conf"), "sub/base.conf");
  EXPECT_EQ(resolve_path("./sub", "../sub/base.conf"), "./sub/base.conf");
  EXPECT_EQ(resolve_path("sub/x", "../m2.conf"), "sub/m2.conf");
  EXPECT_EQ(resolve_path(".", "../sub/base.conf"), "sub/base.conf");
  EXPECT_EQ(resolve_path("..", "../x.conf"), "../../x.conf");
  EXPECT_EQ(resolve_path("sub", "/abs//x/./y.conf"), "/abs/x/y.conf");
}

TEST_F(Includes, RelativeServerRootRefusesWildcardIncludes) {
  // apache2 -d . -f main.conf -D DUMP_INCLUDES (the cli_d_relative capture)
  t.write("base.conf", "");
  t.write("conf.d/a.conf", "A\n");
  t.write("main.conf",
          "Include base.conf\nServerName localhost\nInclude conf.d\nIncludeOptional conf.d/*.conf\n");
  std::string cwd = std::filesystem::current_path();
  std::filesystem::current_path(t.root());
  ReadOptions o;
  o.server_root = ".";
  o.config_file = "main.conf";
  std::string err, records;
  try {
    read_config(o, hooks);
  } catch (const ReadError& e) {
    err = e.what();
    for (const auto& rec : e.includes)
      records += std::to_string(rec.depth) + " (" + std::to_string(rec.included_at) + ") " + rec.path + "\n";
  }
  std::filesystem::current_path(cwd);
  EXPECT_EQ(err,
            "Syntax error on line 4 of ./main.conf: Include must have an absolute path, ./conf.d/*.conf");
  EXPECT_EQ(records, "0 (0) ./main.conf\n1 (1) ./base.conf\n1 (3) ./conf.d/a.conf\n");
}

// The files a failing read had opened, as apache2 -D DUMP_INCLUDES lists them before the error.
std::string records_of_failure(const TempTree& t, FakeHooks& hooks, std::string& error) {
  ReadOptions o;
  o.server_root = t.root();
  o.config_file = "main.conf";
  std::string s;
  try {
    read_config(o, hooks);
  } catch (const ReadError& e) {
    error = tidy(t, e.what());
    for (const auto& rec : e.includes)
      s += std::to_string(rec.depth) + " (" + std::to_string(rec.included_at) + ") " + tidy(t, rec.path) +
           "\n";
  }
  return s;
}

TEST_F(Includes, FailingWildcardAfterFilesKeepsTheirRecords) {
  // apache2 (inc_dump_with_error capture): main, base (1), a (3), then the error on line 4
  t.write("base.conf", "");
  t.write("a.conf", "");
  t.mkdir("nomatch");
  t.write("main.conf", "Include base.conf\nServerName localhost\nInclude a.conf\nInclude nomatch/*.conf\n");
  std::string err;
  EXPECT_EQ(records_of_failure(t, hooks, err),
            "0 (0) <T>/main.conf\n1 (1) <T>/base.conf\n1 (3) <T>/a.conf\n");
  EXPECT_EQ(err,
            "Syntax error on line 4 of <T>/main.conf: Include/IncludeOptional: No matches for the wildcard "
            "'*.conf' in '<T>/nomatch', failing");
}

TEST_F(Includes, DirectoryWildcardReadsEarlierDirectoriesBeforeFailing) {
  // apache2 (inc_glob_dir_component capture): sites/a and sites/b are read, sites/c has no match
  t.write("base.conf", "");
  t.write("sites/a/one.conf", "");
  t.write("sites/b/two.conf", "");
  t.write("sites/c/readme.txt", "");
  t.write("main.conf", "Include base.conf\nServerName localhost\nInclude sites/*/*.conf\n");
  std::string err;
  EXPECT_EQ(
      records_of_failure(t, hooks, err),
      "0 (0) <T>/main.conf\n1 (1) <T>/base.conf\n1 (3) <T>/sites/a/one.conf\n1 (3) <T>/sites/b/two.conf\n");
  EXPECT_EQ(err,
            "Syntax error on line 3 of <T>/main.conf: Include/IncludeOptional: No matches for the wildcard "
            "'*.conf' in '<T>/sites/c', failing");
}

TEST_F(Includes, IncludeInsideTrueConditionalAndSection) {
  t.write("in.conf", "Inner\n");
  auto r =
      parse("<IfModule core_module>\n<VirtualHost *:80>\nInclude in.conf\n</VirtualHost>\n</IfModule>\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "<VirtualHost *:80>\n  Inner\n");
}

TEST_F(Includes, ArgumentCount) {
  EXPECT_EQ(error("Include\n"),
            "Syntax error on line 1 of <T>/main.conf: Include takes one argument, Name(s) of the "
            "config file(s) to be included; fails if the wildcard does not match at least one file");
  EXPECT_EQ(error("Include a b\n"),
            "Syntax error on line 1 of <T>/main.conf: Include takes one argument, Name(s) of "
            "the config file(s) to be included; fails if the wildcard does not match at least "
            "one file");
  EXPECT_EQ(
      error("IncludeOptional\n"),
      "Syntax error on line 1 of <T>/main.conf: IncludeOptional takes one argument, Name or pattern of the "
      "config "
      "file(s) to be included; ignored if the file does not exist or the pattern does not match any files");
}

TEST_F(Includes, CommandLineDirectives) {
  ReadOptions o;
  o.pre_directives = {"Define B", "<Location />"};
  EXPECT_EQ(error("Define A\n", o),
            "Syntax error in -C/-c directive: -c/-C directives:2: <Location> was not closed.");
  o.pre_directives = {"Include /nonexist"};
  EXPECT_EQ(error("Define A\n", o), "Syntax error in -C/-c directive: Could not open configuration file "
                                    "/nonexist: No such file or directory");
  o.pre_directives = {};
  t.write("y4i.conf", "x\n<Location />\n");
  o.post_directives = {"Include " + t.path("y4i.conf")};
  auto r = parse("Define A\n", o);
  EXPECT_EQ(tidy(t, r.error), "Syntax error in -C/-c directive: Syntax error on line 2 of <T>/y4i.conf: "
                              "<T>/y4i.conf:2: <Location> was not closed.");
  o.post_directives = {"Define B", "Define C:D"};
  EXPECT_EQ(error("Define A\n", o), "Syntax error in -C/-c directive: Variable name must not contain ':'");
}

TEST_F(Includes, CommandLineDirectivesOrderAndFile) {
  ReadOptions o;
  o.pre_directives = {"Pre 1", "Define V x"};
  o.post_directives = {"Post ${V}"};
  auto r = parse("Main\n", o);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "Pre 1\nMain\nPost x\n");
  EXPECT_EQ(*r.result->tree[0].file, "-c/-C directives");
  EXPECT_EQ(r.result->tree[0].line, 1u);
  EXPECT_EQ(r.result->tree[2].line, 1u);
}

} // namespace
} // namespace balancerd::parser::testing

namespace balancerd::parser::testing {
namespace {

// The stock Debian tree, read as apache2ctl would (envvars exported): it must read cleanly and in
// the order apache2 -D DUMP_INCLUDES prints (mods-enabled/*.load from line 146 first).
TEST(StockTree, DebianApache2ConfReadsInApacheOrder) {
  if (::access("/etc/apache2/apache2.conf", R_OK) != 0) GTEST_SKIP() << "no /etc/apache2";
  TempTree t;
  t.mkdir("run");
  t.mkdir("lock");
  t.mkdir("log");
  ::setenv("APACHE_RUN_DIR", t.path("run").c_str(), 1);
  ::setenv("APACHE_LOCK_DIR", t.path("lock").c_str(), 1);
  ::setenv("APACHE_LOG_DIR", t.path("log").c_str(), 1);
  ::setenv("APACHE_PID_FILE", t.path("run/apache2.pid").c_str(), 1);
  ::setenv("APACHE_RUN_USER", "www-data", 1);
  ::setenv("APACHE_RUN_GROUP", "www-data", 1);
  FakeHooks hooks;
  ReadOptions o;
  o.server_root = "/etc/apache2";
  o.config_file = "apache2.conf";
  ReadResult r;
  ASSERT_NO_THROW(r = read_config(o, hooks));
  ASSERT_GT(r.includes.size(), 2u);
  EXPECT_EQ(r.includes[0].path, "/etc/apache2/apache2.conf");
  EXPECT_EQ(r.includes[1].included_at, 146u);
  EXPECT_EQ(r.includes[1].path.rfind("/etc/apache2/mods-enabled/", 0), 0u);
  for (std::size_t i = 2; i < r.includes.size(); ++i) {
    if (r.includes[i].included_at == r.includes[i - 1].included_at) {
      EXPECT_LT(r.includes[i - 1].path, r.includes[i].path);
    }
  }
  EXPECT_EQ(r.default_runtime_dir, t.path("run"));
  for (const auto& line : hooks.logs) EXPECT_EQ(line.find("AH00111"), std::string::npos) << line;
}

} // namespace
} // namespace balancerd::parser::testing
