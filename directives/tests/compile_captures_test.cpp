// The walk-pass fixtures of configtest-captures.md that the core layer decides, compared with the
// exact text apache2 -t printed (program name "apache2" as in the captures; <T> = fixture tree).
#include "directives/tests/compile_test_support.hpp"

#include <gtest/gtest.h>

namespace balancerd::directives::testing {
namespace {

struct Capture {
  const char* name;
  const char* body;
  const char* error; // nullptr: Syntax OK expected
};

const std::string base = "Include <T>/base.conf\n";
const std::string proxy = "Include <T>/baseproxy.conf\n";

class Captures : public ::testing::TestWithParam<Capture> {};

TEST_P(Captures, MatchesApache) {
  const Capture& c = GetParam();
  FixtureTree tree;
  const Outcome out = compile_fixture(tree, c.name, c.body);
  if (!c.error) {
    EXPECT_TRUE(out.ok) << out.error;
  } else {
    EXPECT_FALSE(out.ok);
    EXPECT_EQ(out.error, tree.expand(c.error));
  }
}

// Bodies are the capture configs verbatim (line numbers matter).
const Capture captures[] = {
    {"01_syntax_ok", "Include <T>/base.conf\nInclude <T>/baseproxy.conf\nServerName localhost\n", nullptr},
    {"02_unknown_directive",
     "Include <T>/base.conf\nServerName localhost\nProxyPass /app http://127.0.0.1:9000/\n",
     "AH00526: Syntax error on line 3 of <T>/c/02_unknown_directive.conf:\nInvalid command 'ProxyPass', "
     "perhaps "
     "misspelled or defined by a module not included in the server configuration"},
    {"03_misspelled_directive",
     "Include <T>/base.conf\nInclude <T>/baseproxy.conf\nServerName localhost\nProxyPas /app "
     "http://127.0.0.1:9000/\n",
     "AH00526: Syntax error on line 4 of <T>/c/03_misspelled_directive.conf:\nInvalid command 'ProxyPas', "
     "perhaps "
     "misspelled or defined by a module not included in the server configuration"},
    {"04_bad_arg_count_take1", "Include <T>/base.conf\nServerName localhost extra\n",
     "AH00526: Syntax error on line 2 of <T>/c/04_bad_arg_count_take1.conf:\nServerName takes one argument, "
     "The "
     "hostname and port of the server"},
    {"05_flag_not_on_off", "Include <T>/base.conf\nServerName localhost\nKeepAlive yes\n",
     "AH00526: Syntax error on line 3 of <T>/c/05_flag_not_on_off.conf:\nKeepAlive must be On or Off"},
    {"14_wrong_context_servername_in_location",
     "Include <T>/base.conf\nServerName localhost\n<Location /a>\n    ServerName foo\n</Location>\n",
     "AH00526: Syntax error on line 4 of <T>/c/14_wrong_context_servername_in_location.conf:\nServerName not "
     "allowed in <Location> context"},
    {"15_wrong_context_listen_in_vhost",
     "Include <T>/base.conf\nServerName localhost\n<VirtualHost 127.0.0.1:18080>\n    Listen "
     "18081\n</VirtualHost>\n",
     "AH00526: Syntax error on line 4 of <T>/c/15_wrong_context_listen_in_vhost.conf:\nListen cannot occur "
     "within "
     "<VirtualHost> section"},
    {"18_bad_regex_locationmatch",
     "Include <T>/base.conf\nServerName localhost\n<LocationMatch \"^/(unclosed\">\n</LocationMatch>\n",
     "AH00526: Syntax error on line 3 of <T>/c/18_bad_regex_locationmatch.conf:\nRegex could not be "
     "compiled"},
    {"19_bad_if_expr",
     "Include <T>/base.conf\nServerName localhost\n<Location />\n  <If \"%{REQUEST_URI} =~ m#^/a# &&\">\n  "
     "</If>\n"
     "</Location>\n",
     "AH00526: Syntax error on line 4 of <T>/c/19_bad_if_expr.conf:\nCannot parse condition clause: syntax "
     "error, "
     "unexpected $end"},
    {"22_loglevel_bad", "Include <T>/base.conf\nServerName localhost\nLogLevel verbose\n",
     "AH00526: Syntax error on line 3 of <T>/c/22_loglevel_bad.conf:\nLog level keyword must be one of "
     "emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8"},
    {"23_listen_bad_port", "Include <T>/base.conf\nServerName localhost\nListen 127.0.0.1:99999\n",
     "AH00526: Syntax error on line 3 of <T>/c/23_listen_bad_port.conf:\nInvalid address or port"},
    {"24_vhost_no_args", "Include <T>/base.conf\nServerName localhost\n<VirtualHost>\n</VirtualHost>\n",
     "AH00526: Syntax error on line 3 of <T>/c/24_vhost_no_args.conf:\n<VirtualHost> directive requires "
     "additional "
     "arguments"},
    {"25_section_missing_gt", "Include <T>/base.conf\nServerName localhost\n<Location /a\n</Location>\n",
     "AH00526: Syntax error on line 3 of <T>/c/25_section_missing_gt.conf:\n<Location> directive missing "
     "closing "
     "'>'"},
    {"26_else_without_if",
     "Include <T>/base.conf\nServerName localhost\n<Location />\n  <Else>\n  </Else>\n</Location>\n",
     "AH00526: Syntax error on line 4 of <T>/c/26_else_without_if.conf:\n<Else> or <ElseIf> section without "
     "previous <If> or <ElseIf> section in same scope"},
    {"27_no_mpm", "ServerRoot <T>/root\nServerName localhost\n",
     "AH00534: apache2: Configuration error: No MPM loaded."},
    {"28_loadmodule_missing_file",
     "Include <T>/base.conf\nServerName localhost\nLoadModule foo_module "
     "/usr/lib/apache2/modules/mod_does_not_exist.so\n",
     "apache2: Syntax error on line 3 of <T>/c/28_loadmodule_missing_file.conf: Cannot load "
     "/usr/lib/apache2/modules/mod_does_not_exist.so into server: "
     "/usr/lib/apache2/modules/mod_does_not_exist.so: "
     "cannot open shared object file: No such file or directory"},
    {"29_module_already_loaded",
     "Include <T>/base.conf\nServerName localhost\nLoadModule authz_core_module "
     "/usr/lib/apache2/modules/mod_authz_core.so\n",
     nullptr},
    {"44_loglevel_bad_module", "Include <T>/base.conf\nServerName localhost\nLogLevel nosuchmod:debug\n",
     "AH00526: Syntax error on line 3 of <T>/c/44_loglevel_bad_module.conf:\nCannot find module nosuchmod"},
    {"45_listen_dup", "Include <T>/base.conf\nServerName localhost\nListen 127.0.0.1:28080\n",
     "AH00526: Syntax error on line 3 of <T>/c/45_listen_dup.conf:\nCannot define multiple Listeners on the "
     "same "
     "IP:port"},
    {"47_require_in_server_context", "Include <T>/base.conf\nServerName localhost\nRequire all granted\n",
     "AH00526: Syntax error on line 3 of <T>/c/47_require_in_server_context.conf:\nRequire not allowed here"},
    {"49_vhost_bad_addr",
     "Include <T>/base.conf\nServerName localhost\n<VirtualHost 127.0.0.1:abc>\n</VirtualHost>\n", nullptr},
    {"52_ifmodule_extra_text_after_gt",
     "Include <T>/base.conf\nServerName localhost\n<IfModule mod_foo.c> trailing\n</IfModule>\n", nullptr},
    {"53_error_directive",
     "Include <T>/base.conf\nServerName localhost\n<IfModule !mod_proxy.c>\n  Error \"mod_proxy is "
     "required\"\n"
     "</IfModule>\n",
     "AH00526: Syntax error on line 4 of <T>/c/53_error_directive.conf:\nmod_proxy is required"},
    {"54_timeout_not_number", "Include <T>/base.conf\nServerName localhost\nTimeout abc\n", nullptr},
    {"55_maxrequestworkers_not_number",
     "Include <T>/base.conf\nServerName localhost\nMaxRequestWorkers lots\n", nullptr},
    {"57_servername_empty_quotes", "Include <T>/base.conf\nServerName \"\"\n",
     "AH00526: Syntax error on line 2 of <T>/c/57_servername_empty_quotes.conf:\nServerName takes one "
     "argument, The "
     "hostname and port of the server"},
    {"58_keepalivetimeout_suffix",
     "Include <T>/base.conf\nServerName localhost\nKeepAliveTimeout 500ms\nTimeout 10s\n", nullptr},
    {"60_close_with_trailing", "Include <T>/base.conf\n<Location /a>\n</Location> x\n", nullptr},
    {"61_unknown_section", "Include <T>/base.conf\nServerName localhost\n<Foo bar>\n</Foo>\n",
     "AH00526: Syntax error on line 3 of <T>/c/61_unknown_section.conf:\nInvalid command '<Foo', perhaps "
     "misspelled or defined by a module not included in the server configuration"},
    {"63_flag_extra", "Include <T>/base.conf\nServerName localhost\nKeepAlive On extra\n", nullptr},
    {"64_nested_location",
     "Include <T>/base.conf\nServerName localhost\n<Location /a>\n<Location /b>\n</Location>\n"
     "</Location>\n",
     "AH00526: Syntax error on line 4 of <T>/c/64_nested_location.conf:\n<Location not allowed in <Location> "
     "context"},
    {"65_serveralias_toplevel", "Include <T>/base.conf\nServerName localhost\nServerAlias foo\n",
     "AH00526: Syntax error on line 3 of <T>/c/65_serveralias_toplevel.conf:\nServerAlias only used in "
     "<VirtualHost>"},
    {"66_vhost_in_location",
     "Include <T>/base.conf\nServerName localhost\n<VirtualHost *:28080>\n<Location /a>\n<VirtualHost "
     "*:28080>\n"
     "</VirtualHost>\n</Location>\n</VirtualHost>\n",
     "AH00526: Syntax error on line 5 of <T>/c/66_vhost_in_location.conf:\n<VirtualHost not allowed in "
     "<Location> "
     "context"},
    {"67_trailing_hash", "Include <T>/base.conf\nServerName localhost # trailing comment\n",
     "AH00526: Syntax error on line 2 of <T>/c/67_trailing_hash.conf:\nServerName takes one argument, The "
     "hostname "
     "and port of the server"},
    {"68_comment_continuation",
     "Include <T>/base.conf\n# comment ending with backslash \\\nServerName localhost\nFooBar\n",
     "AH00526: Syntax error on line 4 of <T>/c/68_comment_continuation.conf:\nInvalid command 'FooBar', "
     "perhaps "
     "misspelled or defined by a module not included in the server configuration"},
    {"69_backslash_space", "Include <T>/base.conf\nServerName localhost \\ \nFooBar\n",
     "AH00526: Syntax error on line 2 of <T>/c/69_backslash_space.conf:\nServerName takes one argument, The "
     "hostname and port of the server"},
    {"70_continuation_lineno", "Include <T>/base.conf\nServerName \\\n  localhost \\\n  extra\n",
     "AH00526: Syntax error on line 4 of <T>/c/70_continuation_lineno.conf:\nServerName takes one argument, "
     "The "
     "hostname and port of the server"},
    {"72_second_mpm",
     "Include <T>/base.conf\nServerName localhost\nLoadModule mpm_worker_module "
     "/usr/lib/apache2/modules/mod_mpm_worker.so\n",
     "AH00534: apache2: Configuration error: More than one MPM loaded."},
    {"73_wrong_module_identifier",
     "Include <T>/base.conf\nServerName localhost\nLoadModule wrong_module "
     "/usr/lib/apache2/modules/mod_headers.so\n",
     "apache2: Syntax error on line 3 of <T>/c/73_wrong_module_identifier.conf: Can't locate API module "
     "structure "
     "`wrong_module' in file /usr/lib/apache2/modules/mod_headers.so: "
     "/usr/lib/apache2/modules/mod_headers.so: "
     "undefined symbol: wrong_module"},
};

INSTANTIATE_TEST_SUITE_P(ConfigtestCaptures, Captures, ::testing::ValuesIn(captures),
                         [](const ::testing::TestParamInfo<Capture>& info) {
                           return "c" + std::string(info.param.name);
                         });

// The warnings that go with the Syntax OK cases, as text without the timestamp prefix.
TEST(CaptureWarnings, AlreadyLoadedModuleWarns) {
  FixtureTree tree;
  const Outcome out = compile_fixture(tree, "29",
                                      base + "ServerName localhost\nLoadModule authz_core_module " +
                                          modules_dir + "/mod_authz_core.so\n");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.texts(), std::vector<std::string>{
                             "[so:warn] AH01574: module authz_core_module is already loaded, skipping"});
}

TEST(CaptureWarnings, UnresolvableVhostAddressIsLoggedAndIgnored) {
  FixtureTree tree;
  const Outcome out = compile_fixture(
      tree, "49", base + "ServerName localhost\n<VirtualHost 127.0.0.1:abc>\n</VirtualHost>\n");
  ASSERT_TRUE(out.ok) << out.error;
  ASSERT_EQ(out.logs.size(), 1u);
  EXPECT_EQ(out.texts()[0],
            "[core:error] (EAI 2)Name or service not known: AH00547: Could not resolve host name "
            "127.0.0.1:abc -- ignoring!");
  ASSERT_EQ(out.result.config->vhosts.size(), 1u);
  EXPECT_TRUE(out.result.config->vhosts[0].core.addresses.empty());
}

TEST(CaptureWarnings, MaxRequestWorkersBelowThreadsPerChild) {
  FixtureTree tree;
  const Outcome out = compile_fixture(tree, "55", base + "ServerName localhost\nMaxRequestWorkers lots\n");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.texts(),
            std::vector<std::string>{
                "AH00511: WARNING: MaxRequestWorkers of 0 is less than ThreadsPerChild of 25, "
                "increasing to 25. MaxRequestWorkers must be at least as large as the number of threads "
                "in a single server."});
  EXPECT_EQ(out.result.config->main.core.mpm_conf.max_request_workers, 25);
}

TEST(CaptureWarnings, NoGlobalServerNameGivesAH00558) {
  FixtureTree tree;
  const Outcome out = compile_fixture(tree, "60", base + "<Location /a>\n</Location> x\n");
  ASSERT_TRUE(out.ok) << out.error;
  ASSERT_EQ(out.logs.size(), 1u);
  EXPECT_TRUE(out.logs[0].plain);
  EXPECT_EQ(
      out.logs[0].text.rfind("AH00558: apache2: Could not reliably determine the server's fully qualified "
                             "domain name, using ",
                             0),
      0u);
  EXPECT_NE(out.logs[0].text.find(". Set the 'ServerName' directive globally to suppress this message"),
            std::string::npos);
}

TEST(CaptureWarnings, UndefinedVariableWarnsButPasses) {
  FixtureTree tree;
  const Outcome out = compile_fixture(tree, "17", base + "ServerName ${NOT_DEFINED_ANYWHERE}\n");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.texts(), std::vector<std::string>{
                             "[core:warn] AH00111: Config variable ${NOT_DEFINED_ANYWHERE} is not defined"});
}

// Apache's logger escapes the message: the BOM shows as the text \xef\xbb\xbf.
TEST(CaptureWarnings, BomInIncludedFileIsPartOfTheName) {
  FixtureTree tree;
  tree.write("c/bominc.inc", "\xEF\xBB\xBFServerName localhost\n");
  const Outcome out = compile_fixture(tree, "71", base + "Include <T>/c/bominc.inc\n");
  EXPECT_EQ(out.error,
            tree.expand("AH00526: Syntax error on line 1 of <T>/c/bominc.inc:\nInvalid command "
                        "'\\xef\\xbb\\xbfServerName', perhaps misspelled or defined by a module not included "
                        "in the server configuration"));
}

} // namespace
} // namespace balancerd::directives::testing
