// Context rules, argument shapes and value checks of the core family, each compared with what
// apache2 -t printed for the same lines (recorded from Apache 2.4.71 on this machine; the body
// follows "Include <T>/base.conf" and "ServerName localhost", so it starts on line 3).
#include "directives/tests/compile_test_support.hpp"

#include <gtest/gtest.h>

namespace balancerd::directives::testing {
namespace {

struct OracleCase {
  const char* name;
  const char* body;
  const char* error;             // nullptr: Syntax OK
  std::vector<std::string> logs; // "[module:level] text", or the plain startup line
};

class CoreOracle : public ::testing::TestWithParam<OracleCase> {};

TEST_P(CoreOracle, SameAsApache) {
  const OracleCase& c = GetParam();
  FixtureTree tree;
  const Outcome out = compile_fixture(
      tree, c.name, "Include <T>/base.conf\nServerName localhost\n" + std::string(c.body) + "\n");
  if (c.error) {
    EXPECT_FALSE(out.ok);
    EXPECT_EQ(out.error, tree.expand(c.error));
  } else {
    EXPECT_TRUE(out.ok) << out.error;
  }
  std::vector<std::string> expected;
  for (const std::string& l : c.logs) expected.push_back(tree.expand(l));
  EXPECT_EQ(out.texts(), expected);
}

const OracleCase cases[] = {
    {"ctx_require_in_vhost",
     "<VirtualHost *:80>\nRequire all granted\n</VirtualHost>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_require_in_vhost.conf:\nRequire not allowed in "
     "<VirtualHost> context",
     {}},
    {"ctx_limit_top",
     "<Limit GET>\n</Limit>",
     "AH00526: Syntax error on line 3 of <T>/c/ctx_limit_top.conf:\n<Limit not allowed here",
     {}},
    {"ctx_limit_in_vhost",
     "<VirtualHost *:80>\n<Limit GET>\n</Limit>\n</VirtualHost>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_limit_in_vhost.conf:\n<Limit not allowed in <VirtualHost> "
     "context",
     {}},
    {"ctx_servername_in_limit",
     "<Location />\n<Limit GET>\nServerName x\n</Limit>\n</Location>",
     "AH00526: Syntax error on line 5 of <T>/c/ctx_servername_in_limit.conf:\nServerName not allowed in "
     "<Limit> context",
     {}},
    {"ctx_servername_in_if",
     "<Location />\n<If \"true\">\nServerName x\n</If>\n</Location>",
     "AH00526: Syntax error on line 5 of <T>/c/ctx_servername_in_if.conf:\nServerName not allowed in <If> "
     "context",
     {}},
    {"ctx_require_in_top_if", "<If \"true\">\nRequire all granted\n</If>", nullptr, {}},
    {"ctx_require_in_top_files", "<Files x>\nRequire all granted\n</Files>", nullptr, {}},
    {"ctx_location_in_files",
     "<Files x>\n<Location />\n</Location>\n</Files>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_location_in_files.conf:\n<Location not allowed in <Files> "
     "context",
     {}},
    {"ctx_lowercase_parent",
     "<location />\nServerName x\n</location>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_lowercase_parent.conf:\nServerName not allowed in "
     "<Location> context",
     {}},
    {"ctx_files_in_location",
     "<Location />\n<Files x>\n</Files>\n</Location>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_files_in_location.conf:\n<Files> cannot occur within "
     "<Location> section",
     {}},
    {"ctx_if_in_limit",
     "<Location />\n<Limit GET>\n<If \"true\">\n</If>\n</Limit>\n</Location>",
     "AH00526: Syntax error on line 5 of <T>/c/ctx_if_in_limit.conf:\n<If> cannot occur within <Limit> or "
     "<LimitExcept> section",
     {}},
    {"ctx_vhost_in_vhost",
     "<VirtualHost *:80>\n<VirtualHost *:80>\n</VirtualHost>\n</VirtualHost>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_vhost_in_vhost.conf:\n<VirtualHost> cannot occur within "
     "<VirtualHost> section",
     {}},
    {"ctx_directory_in_location",
     "<Location />\n<Directory />\n</Directory>\n</Location>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_directory_in_location.conf:\n<Directory not allowed in "
     "<Location> context",
     {}},
    {"ctx_listen_in_limit",
     "<Location />\n<Limit GET>\nListen 80\n</Limit>\n</Location>",
     "AH00526: Syntax error on line 5 of <T>/c/ctx_listen_in_limit.conf:\nListen not allowed in <Limit> "
     "context",
     {}},
    {"ctx_servertokens_in_vhost",
     "<VirtualHost *:80>\nServerTokens Prod\n</VirtualHost>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_servertokens_in_vhost.conf:\nServerTokens cannot occur "
     "within <VirtualHost> section",
     {}},
    {"ctx_pidfile_in_vhost",
     "<VirtualHost *:80>\nPidFile /tmp/x.pid\n</VirtualHost>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_pidfile_in_vhost.conf:\nPidFile cannot occur within "
     "<VirtualHost> section",
     {}},
    {"ctx_user_in_vhost",
     "<VirtualHost *:80>\nUser nobody\n</VirtualHost>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_user_in_vhost.conf:\nUser cannot occur within "
     "<VirtualHost> section",
     {}},
    {"ctx_timeout_in_location",
     "<Location />\nTimeout 5\n</Location>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_timeout_in_location.conf:\nTimeout not allowed in "
     "<Location> context",
     {}},
    {"ctx_loglevel_in_location", "<Location />\nLogLevel debug\n</Location>", nullptr, {}},
    {"ctx_errorlog_in_location",
     "<Location />\nErrorLog /tmp/x\n</Location>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_errorlog_in_location.conf:\nErrorLog not allowed in "
     "<Location> context",
     {}},
    {"ctx_options_at_top", "Options -Indexes", nullptr, {}},
    {"ctx_errordocument_top", "ErrorDocument 404 /missing.html", nullptr, {}},
    {"ctx_keepalive_in_directory",
     "<Directory />\nKeepAlive On\n</Directory>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_keepalive_in_directory.conf:\nKeepAlive not allowed in "
     "<Directory> context",
     {}},
    {"ctx_maxrequestworkers_in_vhost",
     "<VirtualHost *:80>\nMaxRequestWorkers 10\n</VirtualHost>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_maxrequestworkers_in_vhost.conf:\nMaxRequestWorkers "
     "cannot occur within <VirtualHost> section",
     {}},
    {"ctx_else_after_directive",
     "<Location />\n<If \"true\">\n</If>\nOptions None\n<Else>\n</Else>\n</Location>",
     nullptr,
     {}},
    {"ctx_else_twice",
     "<Location />\n<If \"true\">\n</If>\n<ElseIf "
     "\"false\">\n</ElseIf>\n<Else>\n</Else>\n<Else>\n</Else>\n</Location>",
     "AH00526: Syntax error on line 10 of <T>/c/ctx_else_twice.conf:\n<Else> or <ElseIf> section without "
     "previous <If> or <ElseIf> section in same scope",
     {}},
    {"ctx_else_with_arg",
     "<Location />\n<If \"true\">\n</If>\n<Else foo>\n</Else>\n</Location>",
     "AH00526: Syntax error on line 6 of <T>/c/ctx_else_with_arg.conf:\n<Else> does not take an argument",
     {}},
    {"ctx_if_no_arg",
     "<If>\n</If>",
     "AH00526: Syntax error on line 3 of <T>/c/ctx_if_no_arg.conf:\n<If> directive requires additional "
     "arguments",
     {}},
    {"ctx_location_no_arg",
     "<Location>\n</Location>",
     "AH00526: Syntax error on line 3 of <T>/c/ctx_location_no_arg.conf:\n<Location> directive requires "
     "additional arguments",
     {}},
    {"ctx_limit_no_methods",
     "<Location />\n<Limit>\n</Limit>\n</Location>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_limit_no_methods.conf:\n<Limit> directive requires "
     "additional arguments",
     {}},
    {"ctx_limit_missing_gt",
     "<Location />\n<Limit GET\n</Limit>\n</Location>",
     "AH00526: Syntax error on line 4 of <T>/c/ctx_limit_missing_gt.conf:\n<Limit> directive missing closing "
     "'>'",
     {}},
    {"ctx_location_tilde_bad",
     "<Location ~ \"(\">\n</Location>",
     "AH00526: Syntax error on line 3 of <T>/c/ctx_location_tilde_bad.conf:\nRegex could not be compiled",
     {}},
    {"ctx_directorymatch_bad",
     "<DirectoryMatch \"[\">\n</DirectoryMatch>",
     "AH00526: Syntax error on line 3 of <T>/c/ctx_directorymatch_bad.conf:\nRegex could not be compiled",
     {}},
    {"ctx_filesmatch_ok", "<FilesMatch \"\\.php$\">\n</FilesMatch>", nullptr, {}},
    {"shape_take1_none",
     "ServerAdmin",
     "AH00526: Syntax error on line 3 of <T>/c/shape_take1_none.conf:\nServerAdmin takes one argument, The "
     "email address of the server administrator",
     {}},
    {"shape_take2_one",
     "ErrorDocument 404",
     "AH00526: Syntax error on line 3 of <T>/c/shape_take2_one.conf:\nErrorDocument takes two arguments, "
     "Change responses for HTTP errors",
     {}},
    {"shape_take12_three",
     "ErrorLogFormat a b c",
     "AH00526: Syntax error on line 3 of <T>/c/shape_take12_three.conf:\nErrorLogFormat takes 1-2 arguments, "
     "Format string for the ErrorLog",
     {}},
    {"shape_flag_empty",
     "KeepAlive",
     "AH00526: Syntax error on line 3 of <T>/c/shape_flag_empty.conf:\nKeepAlive must be On or Off",
     {}},
    {"shape_iterate_empty",
     "Protocols",
     "AH00526: Syntax error on line 3 of <T>/c/shape_iterate_empty.conf:\nProtocols requires at least one "
     "argument, Controls which protocols are allowed",
     {}},
    {"shape_iterate_empty_word",
     "Protocols \"\"",
     "AH00526: Syntax error on line 3 of <T>/c/shape_iterate_empty_word.conf:\nProtocols requires at least "
     "one argument, Controls which protocols are allowed",
     {}},
    {"shape_loglevel_empty",
     "LogLevel",
     "AH00526: Syntax error on line 3 of <T>/c/shape_loglevel_empty.conf:\nLogLevel requires at least one "
     "argument, Level of verbosity in error logging",
     {}},
    {"shape_take1_two",
     "DocumentRoot /a /b",
     "AH00526: Syntax error on line 3 of <T>/c/shape_take1_two.conf:\nDocumentRoot takes one argument, Root "
     "directory of the document tree",
     {}},
    {"shape_flag_case", "KeepAlive oFf", nullptr, {}},
    {"val_servername_wild",
     "ServerName *.example.com",
     "AH00526: Syntax error on line 3 of <T>/c/val_servername_wild.conf:\nInvalid ServerName "
     "\"*.example.com\" use ServerAlias to set multiple server names.",
     {}},
    {"val_servername_port",
     "ServerName example.com:99999",
     "AH00526: Syntax error on line 3 of <T>/c/val_servername_port.conf:\nThe port number "
     "\"example.com:99999\" is outside the appropriate range (i.e., 1..65535).",
     {}},
    {"val_servername_scheme", "ServerName https://example.com:8443", nullptr, {}},
    {"val_listen_noport",
     "Listen abc",
     "AH00526: Syntax error on line 3 of <T>/c/val_listen_noport.conf:\nPort must be specified",
     {}},
    {"val_listen_zero",
     "Listen 0",
     "AH00526: Syntax error on line 3 of <T>/c/val_listen_zero.conf:\nInvalid address or port",
     {}},
    {"val_listen_three",
     "Listen 80 http extra",
     "AH00526: Syntax error on line 3 of <T>/c/val_listen_three.conf:\nListen requires 1 or 2 arguments.",
     {}},
    {"val_listen_v6dup",
     "Listen [::1]:80\nListen [::1]:80",
     "AH00526: Syntax error on line 4 of <T>/c/val_listen_v6dup.conf:\nCannot define multiple Listeners on "
     "the same IP:port",
     {}},
    {"val_keepalivetimeout_bad",
     "KeepAliveTimeout abc",
     "AH00526: Syntax error on line 3 of <T>/c/val_keepalivetimeout_bad.conf:\nKeepAliveTimeout has wrong "
     "format",
     {}},
    {"val_docroot_missing",
     "DocumentRoot /nonexistent",
     "AH00526: Syntax error on line 3 of <T>/c/val_docroot_missing.conf:\nDocumentRoot '/nonexistent' is not "
     "a directory, or is not readable",
     {}},
    {"val_docroot_vhost_missing",
     "<VirtualHost *:80>\nDocumentRoot /nonexistent\n</VirtualHost>",
     nullptr,
     {"AH00112: Warning: DocumentRoot [/nonexistent] does not exist"}},
    {"val_vhost_bad_port",
     "<VirtualHost 1.2.3.4:99999>\n</VirtualHost>",
     "AH00526: Syntax error on line 3 of <T>/c/val_vhost_bad_port.conf:\nThe address or port is invalid",
     {}},
    {"val_tracenable_bad",
     "TraceEnable maybe",
     "AH00526: Syntax error on line 3 of <T>/c/val_tracenable_bad.conf:\nTraceEnable must be one of 'on', "
     "'off', or 'extended'",
     {}},
    {"val_servertokens_bad",
     "ServerTokens Tiny",
     "AH00526: Syntax error on line 3 of <T>/c/val_servertokens_bad.conf:\nServerTokens takes 1 argument: "
     "'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'",
     {}},
    {"val_serversignature_bad",
     "ServerSignature maybe",
     "AH00526: Syntax error on line 3 of <T>/c/val_serversignature_bad.conf:\nServerSignature: use one of: "
     "off | on | email",
     {}},
    {"val_limitrequestline_neg",
     "LimitRequestLine -1",
     "AH00526: Syntax error on line 3 of <T>/c/val_limitrequestline_neg.conf:\nLimitRequestLine \"-1\" must "
     "be a non-negative integer",
     {}},
    {"val_limitrequestbody_bad",
     "LimitRequestBody 12abc",
     "AH00526: Syntax error on line 3 of <T>/c/val_limitrequestbody_bad.conf:\nLimitRequestBody requires a "
     "non-negative integer.",
     {}},
    {"val_limitrequestbody_neg",
     "LimitRequestBody -5",
     "AH00526: Syntax error on line 3 of <T>/c/val_limitrequestbody_neg.conf:\nLimitRequestBody requires a "
     "non-negative integer.",
     {}},
    {"val_httpprotocoloptions_bad",
     "HttpProtocolOptions Loose",
     "AH00526: Syntax error on line 3 of <T>/c/val_httpprotocoloptions_bad.conf:\nHttpProtocolOptions "
     "accepts 'Unsafe' or 'Strict' (default), 'RegisteredMethods' or 'LenientMethods' (default), and "
     "'Require1.0' or 'Allow0.9' (default)",
     {}},
    {"val_options_bad",
     "Options FollowSymLinks Foo",
     "AH00526: Syntax error on line 3 of <T>/c/val_options_bad.conf:\nIllegal option Foo",
     {}},
    {"val_options_mixed",
     "Options +Indexes FollowSymLinks",
     "AH00526: Syntax error on line 3 of <T>/c/val_options_mixed.conf:\nEither all Options must start with + "
     "or -, or no Option may.",
     {}},
    {"val_allowoverride_bad",
     "<Directory />\nAllowOverride Bogus\n</Directory>",
     "AH00526: Syntax error on line 4 of <T>/c/val_allowoverride_bad.conf:\nIllegal override option Bogus",
     {}},
    {"val_errordocument_bad",
     "ErrorDocument 999 /x",
     "AH00526: Syntax error on line 3 of <T>/c/val_errordocument_bad.conf:\nUnsupported HTTP response code "
     "999",
     {}},
    {"val_usecanonicalname_bad",
     "UseCanonicalName maybe",
     "AH00526: Syntax error on line 3 of <T>/c/val_usecanonicalname_bad.conf:\nparameter must be 'on', "
     "'off', or 'dns'",
     {}},
    {"val_hostnamelookups_bad",
     "HostnameLookups maybe",
     "AH00526: Syntax error on line 3 of <T>/c/val_hostnamelookups_bad.conf:\nparameter must be 'on', 'off', "
     "or 'double'",
     {}},
    {"val_mutex_bad",
     "Mutex bogus",
     "AH00526: Syntax error on line 3 of <T>/c/val_mutex_bad.conf:\nInvalid Mutex argument bogus (Mutex "
     "mechanisms are: 'none', 'default', 'flock:/path/to/file', 'fcntl:/path/to/file', 'file:/path/to/file', "
     "'pthread', 'sysvsem', 'posixsem', 'sem')",
     {}},
    {"val_allowencodedslashes_bad",
     "AllowEncodedSlashes maybe",
     "AH00526: Syntax error on line 3 of <T>/c/val_allowencodedslashes_bad.conf:\nAllowEncodedSlashes must "
     "be On, Off, or NoDecode",
     {}},
    {"val_loglevel_module_bad_level",
     "LogLevel authz_core:loud",
     "AH00526: Syntax error on line 3 of <T>/c/val_loglevel_module_bad_level.conf:\nauthz_core:loud: Log "
     "level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8",
     {}},
    {"val_loglevel_forms",
     "LogLevel authz_core:info mod_authz_core.c:info authz_core_module:info info",
     nullptr,
     {}},
    {"val_error_noargs",
     "Error",
     "AH00526: Syntax error on line 3 of <T>/c/val_error_noargs.conf:\nThe Error directive was used with no "
     "message.",
     {}},
    {"val_error_quotes",
     "Error 'single quoted'",
     "AH00526: Syntax error on line 3 of <T>/c/val_error_quotes.conf:\nsingle quoted",
     {}},
    {"val_listenbacklog_zero",
     "ListenBacklog 0",
     "AH00526: Syntax error on line 3 of <T>/c/val_listenbacklog_zero.conf:\nListenBacklog must be > 0",
     {}},
    {"val_protocols_ok", "Protocols h2 http/1.1", nullptr, {}},
    {"val_asyncfactor_zero",
     "AsyncRequestWorkerFactor 0",
     "AH00526: Syntax error on line 3 of <T>/c/val_asyncfactor_zero.conf:\nAsyncRequestWorkerFactor argument "
     "must be a positive number",
     {}},
    {"limit_trace",
     "<Location />\n<Limit TRACE>\n</Limit>\n</Location>",
     "AH00526: Syntax error on line 4 of <T>/c/limit_trace.conf:\nTRACE cannot be controlled by <Limit>, see "
     "TraceEnable",
     {}},
    {"limitexcept_trace", "<Location />\n<LimitExcept TRACE>\n</LimitExcept>\n</Location>", nullptr, {}},
    {"limit_same_nested",
     "<Location />\n<Limit GET>\n<Limit GET>\n</Limit>\n</Limit>\n</Location>",
     "AH00526: Syntax error on line 5 of <T>/c/limit_same_nested.conf:\n<Limit> directive specifies methods "
     "already excluded",
     {}},
    {"limit_in_limitexcept_ok",
     "<Location />\n<LimitExcept GET>\n<Limit POST>\n</Limit>\n</LimitExcept>\n</Location>",
     nullptr,
     {}},
    {"limit_in_limitexcept_empty",
     "<Location />\n<LimitExcept GET>\n<Limit GET>\n</Limit>\n</LimitExcept>\n</Location>",
     "AH00526: Syntax error on line 5 of <T>/c/limit_in_limitexcept_empty.conf:\n<Limit> directive excludes "
     "all methods",
     {}},
    {"limitexcept_in_limit_empty",
     "<Location />\n<Limit GET>\n<LimitExcept GET>\n</LimitExcept>\n</Limit>\n</Location>",
     "AH00526: Syntax error on line 5 of <T>/c/limitexcept_in_limit_empty.conf:\n<LimitExcept> directive "
     "excludes all methods",
     {}},
    {"limit_unknown_methods", "<Location />\n<Limit FOO bar>\n</Limit>\n</Location>", nullptr, {}},
    {"limit_disjoint_nested",
     "<Location />\n<Limit GET>\n<Limit POST>\n</Limit>\n</Limit>\n</Location>",
     "AH00526: Syntax error on line 5 of <T>/c/limit_disjoint_nested.conf:\n<Limit> directive excludes all "
     "methods",
     {}},
};

INSTANTIATE_TEST_SUITE_P(Apache2471, CoreOracle, ::testing::ValuesIn(cases),
                         [](const ::testing::TestParamInfo<OracleCase>& info) {
                           return std::string(info.param.name);
                         });

} // namespace
} // namespace balancerd::directives::testing
