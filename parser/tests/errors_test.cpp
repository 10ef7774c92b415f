// Build-pass errors of the read-time directives and robustness of the read pass. Texts verified
// with apache2 2.4.71 -t (without its "apache2: " program prefix).
#include "read_fixture.hpp"

#include <random>

namespace balancerd::parser::testing {
namespace {

class Errors : public ::testing::Test {
protected:
  ReadRun parse(const std::string& text, ReadOptions o = {}) {
    return read_text(t, hooks, text, std::move(o));
  }
  std::string error(const std::string& text) { return tidy(t, parse(text).error); }
  TempTree t;
  FakeHooks hooks;
};

TEST_F(Errors, ArgumentCountsOfReadTimeDirectives) {
  const std::string define = "Define takes 1-2 arguments, Define a variable, optionally to a value.  Same as "
                             "passing -D to the command line.";
  const std::string undefine =
      "UnDefine takes one argument, Undefine the existence of a variable. Undo a Define.";
  const std::string loadmodule =
      "LoadModule takes two arguments, a module name and the name of a shared object file to load it from";
  const std::pair<const char*, std::string> cases[] = {
      {"Define", define},
      {"Define a b c", define},
      {"Define \"\"", define},
      {"UnDefine", undefine},
      {"UnDefine a b", undefine},
      {"LoadModule a", loadmodule},
      {"LoadModule a b c", loadmodule},
      {"LoadModule headers_module \"\"", loadmodule},
      {"LoadFile",
       "LoadFile requires at least one argument, shared object file or library to load into the server at "
       "runtime"},
      {"ServerRoot",
       "ServerRoot takes one argument, Common directory of server-related files (logs, confs, etc.)"},
      {"DefaultRuntimeDir", "DefaultRuntimeDir takes one argument, Common directory for run-time files "
                            "(shared memory, locks, etc.)"},
      {"serverroot a b",
       "ServerRoot takes one argument, Common directory of server-related files (logs, confs, etc.)"},
  };
  for (const auto& [line, message] : cases)
    EXPECT_EQ(error(std::string("x\n") + line + "\n"), "Syntax error on line 2 of <T>/main.conf: " + message)
        << line;
}

TEST_F(Errors, ServerRootMustBeADirectory) {
  EXPECT_EQ(error("ServerRoot /nonexistent\n"),
            "Syntax error on line 1 of <T>/main.conf: ServerRoot must be a valid directory");
  t.write("plain", "");
  EXPECT_EQ(error("ServerRoot " + t.path("plain") + "\n"),
            "Syntax error on line 1 of <T>/main.conf: ServerRoot must be a valid directory");
}

TEST_F(Errors, RelativeServerRootIsRelativeToTheWorkingDirectory) {
  // apache2 run from /tmp/pp: "ServerRoot root/" then "Include nonexist.conf" names
  // /tmp/pp/root/nonexist.conf
  t.mkdir("root");
  char old[4096];
  ASSERT_NE(::getcwd(old, sizeof old), nullptr);
  ASSERT_EQ(::chdir(t.root().c_str()), 0);
  auto r = parse("ServerRoot ./root/../root/\nInclude nonexist.conf\n");
  ASSERT_EQ(::chdir(old), 0);
  EXPECT_EQ(tidy(t, r.error), "Syntax error on line 2 of <T>/main.conf: Could not open configuration file "
                              "<T>/root/nonexist.conf: No such file or directory");
}

TEST_F(Errors, DefaultRuntimeDirMustBeADirectoryRelativeToServerRoot) {
  EXPECT_EQ(
      error("DefaultRuntimeDir /nonexist\n"),
      "Syntax error on line 1 of <T>/main.conf: DefaultRuntimeDir must be a valid directory, absolute or "
      "relative to ServerRoot");
  t.mkdir("run");
  auto r = parse("DefaultRuntimeDir run\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.result->default_runtime_dir, t.path("run"));
  EXPECT_TRUE(r.result->tree.empty());
}

TEST_F(Errors, DebianRuntimeDirWithoutEnvvars) {
  // apache2 -V without envvars: AH00111 then the DefaultRuntimeDir error (spec, "Stock Debian tree")
  auto r = parse("DefaultRuntimeDir ${BD_TEST_APACHE_RUN_DIR}\n");
  EXPECT_EQ(tidy(t, r.error),
            "Syntax error on line 1 of <T>/main.conf: DefaultRuntimeDir must be a valid directory, "
            "absolute or relative to ServerRoot");
  EXPECT_EQ(hooks.logs, std::vector<std::string>{
                            "[core:warn] AH00111: Config variable ${BD_TEST_APACHE_RUN_DIR} is not defined"});
}

TEST_F(Errors, LoadModuleErrorComesFromTheHook) {
  // fixture 28_loadmodule_missing_file
  EXPECT_EQ(
      error(
          "x\nServerName localhost\nLoadModule foo_module /usr/lib/apache2/modules/mod_does_not_exist.so\n"),
      "Syntax error on line 3 of <T>/main.conf: Cannot load /usr/lib/apache2/modules/mod_does_not_exist.so "
      "into "
      "server: /usr/lib/apache2/modules/mod_does_not_exist.so: cannot open shared object file: No such file "
      "or "
      "directory");
}

TEST_F(Errors, LoadModuleErrorNamesThePathAsWrittenAndAsResolved) {
  // apache2: "Cannot load modules/nothere.so into server: <root>/modules/nothere.so: cannot open ..."
  EXPECT_EQ(error("LoadModule headers_module modules/nothere.so\n"),
            "Syntax error on line 1 of <T>/main.conf: Cannot load modules/nothere.so into server: "
            "<T>/modules/nothere.so: cannot open shared object file: No such file or directory");
}

TEST_F(Errors, LoadModulePathIsServerRootRelative) {
  t.write("modules/mod_h.so", "");
  auto r = parse("LoadModule h_module modules/mod_h.so\nLoadModule h_module modules/mod_h.so\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(hooks.loaded.front(), "h_module " + t.path("modules/mod_h.so"));
  EXPECT_EQ(hooks.logs,
            std::vector<std::string>{"[so:warn] AH01574: module h_module is already loaded, skipping"});
  EXPECT_TRUE(r.result->tree.empty());
}

TEST_F(Errors, LoadFileIteratesUntilAnEmptyWord) {
  t.write("a.so", "");
  t.write("b.so", "");
  auto r = parse("LoadFile a.so b.so \"\" c.so\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(hooks.loaded, (std::vector<std::string>{"file " + t.path("a.so"), "file " + t.path("b.so")}));
}

TEST_F(Errors, ReadTimeDirectivesHaveNoContextCheck) {
  // apache2 -t: LoadModule inside <VirtualHost>/<Location>/<Limit> is executed (only the load fails,
  // with the hook's text); ServerRoot, Define and DefaultRuntimeDir inside sections are accepted.
  EXPECT_EQ(error("<VirtualHost *:80>\nLoadModule a b\n</VirtualHost>\n"),
            "Syntax error on line 2 of <T>/main.conf: Cannot load b into server: <T>/b: cannot open "
            "shared object "
            "file: No such file or directory");
  t.mkdir("run");
  auto r = parse("<VirtualHost *:80>\nServerRoot " + t.root() +
                 "\nDefaultRuntimeDir run\n</VirtualHost>\n"
                 "<Location />\nDefine X\nUnDefine X\n</Location>\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(outline(*r.result), "<VirtualHost *:80>\n<Location />\n");
}

TEST_F(Errors, MainConfigFileProblems) {
  ReadOptions o;
  o.config_file = "nonexist.conf";
  EXPECT_EQ(tidy(t, read_with(t, hooks, o).error),
            "Could not open configuration file <T>/nonexist.conf: No such file "
            "or directory");
  o.config_file = t.root();
  EXPECT_EQ(tidy(t, read_with(t, hooks, o).error),
            "Could not open configuration file <T>: Bad file descriptor");
  EXPECT_EQ(hooks.logs.back(),
            "[core:error] AH00554: Access to file " + t.root() + " denied by server: not a regular file");
}

TEST_F(Errors, UnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads everything";
  t.write("secret.conf", "x\n");
  ::chmod(t.path("secret.conf").c_str(), 0);
  EXPECT_EQ(error("Include secret.conf\n"),
            "Syntax error on line 1 of <T>/main.conf: Could not open configuration file "
            "<T>/secret.conf: Permission denied");
}

TEST_F(Errors, BomBecomesPartOfTheFirstName) {
  // fixture 71_bom_in_included_file: the walk pass reports Invalid command '\xef\xbb\xbfServerName'
  t.write("bominc.inc", "\xEF\xBB\xBFServerName localhost");
  auto r = parse("Include bominc.inc\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.result->tree[0].name, "\xEF\xBB\xBFServerName");
  EXPECT_EQ(*r.result->tree[0].file, t.path("bominc.inc"));
}

TEST_F(Errors, TrailingHashIsData) {
  // fixture 67_trailing_hash: ServerName gets three words (its handler fails in the walk pass)
  auto r = parse("ServerName localhost # trailing comment\n");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.result->tree[0].args, "localhost # trailing comment");
}

TEST_F(Errors, StructuralErrorAtTheEndWinsOverEverythingBefore) {
  auto r = parse("FooBar\nServerName a b c\n<Location /a>\n");
  EXPECT_EQ(tidy(t, r.error),
            "Syntax error on line 3 of <T>/main.conf: <T>/main.conf:3: <Location> was not closed.");
}

TEST_F(Errors, BinaryGarbageNeverCrashes) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::string data;
    std::size_t len = rng() % 400;
    for (std::size_t i = 0; i < len; ++i) {
      static const char alphabet[] = "<>/\\\"' \n\r\t#${}:!~=aZ\0\xff";
      data.push_back(rng() % 3 == 0 ? static_cast<char>(rng()) : alphabet[rng() % (sizeof alphabet - 1)]);
    }
    t.write("g.conf", data);
    ReadOptions o;
    o.config_file = "g.conf";
    auto r = read_with(t, hooks, o); // either a tree or an Apache-style error
    if (!r.result) {
      EXPECT_FALSE(r.error.empty());
    }
  }
}

// Speed is measured by tools/bench/configtest, not here: this checks only that a large tree reads whole.
TEST_F(Errors, TenThousandVirtualHostsReadWhole) {
  std::string text;
  for (int i = 0; i < 10000; ++i) {
    text +=
        "<VirtualHost *:80>\n  ServerName host" + std::to_string(i) +
        ".example\n  ProxyPass / http://127.0.0.1:9000/ retry=0\n  <Location /x>\n    Require all granted\n"
        "  </Location>\n</VirtualHost>\n";
  }
  auto r = parse(text);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.result->tree.size(), 10000u);
}

} // namespace
} // namespace balancerd::parser::testing
