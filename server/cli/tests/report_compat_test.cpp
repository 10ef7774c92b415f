// -D DUMP_COMPAT's report (server/cli/dumps.cpp): each directive in use that balancerd does not
// fully reproduce, with file:line, its level and, where the gap is specific, the reason.
// The file name sorts after heap_prefaulter_test.cpp on purpose: that test needs a heap no test
// has grown before it in the same program, and gtest runs files in link (name) order.
#include "server/cli/dumps.hpp"
#include "server/cli/tests/config_tree.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace balancerd::cli {
namespace {

using test_support::compile;
using test_support::Tree;

// The report's exact lines: implemented directives are left out (also those whose arguments decide,
// when the arguments are ones balancerd serves), no-effect ones say so, and unsupported ones carry
// their reason, read per use from the directive's own arguments (Define'd ${VAR} and continuation
// lines included).
TEST(CompatReport, EachUseByItsArguments) {
  Tree tree;
  const std::string path =
      tree.write("c/mixed.conf", "Include <T>/base.conf\n"  // 1
                                 "ServerName localhost\n"   // 2
                                 "LoadModule alias_module " // 3
                                 "/usr/lib/apache2/modules/mod_alias.so\n"
                                 "Define HANDLER cgi-script\n"                  // 4
                                 "StartServers 2\n"                             // 5
                                 "MaxRequestWorkers 10\n"                       // 6
                                 "MaxConnectionsPerChild 0\n"                   // 7
                                 "MaxConnectionsPerChild 100\n"                 // 8
                                 "HostnameLookups On\n"                         // 9
                                 "AddDefaultCharset Off\n"                      // 10
                                 "AddDefaultCharset utf-8\n"                    // 11
                                 "ErrorDocument 404 /missing.html\n"            // 12
                                 "Alias /a <T>/www\n"                           // 13
                                 "ScriptAlias /cgi-bin/ <T>/www/\n"             // 14
                                 "<Location /s>\n"                              // 15
                                 "  SetHandler server-status\n"                 // 16
                                 "  ForceType text/plain\n"                     // 17
                                 "</Location>\n"                                // 18
                                 "<Location /c>\n"                              // 19
                                 "  SetHandler \"${HANDLER}\"\n"                // 20
                                 "  SetHandler none\n"                          // 21
                                 "</Location>\n"                                // 22
                                 "<Directory <T>/www>\n"                        // 23
                                 "  Options Indexes FollowSymLinks\n"           // 24
                                 "  Options +MultiViews\n"                      // 25
                                 "  Options +Indexes \\\n    -FollowSymLinks\n" // 26-27 (numbered 27)
                                 "  FileETag None\n"                            // 28
                                 "  FileETag INode MTime Size\n"                // 29
                                 "  AllowOverride None\n"                       // 30
                                 "  AllowOverride All\n"                        // 31
                                 "</Directory>\n"                               // 32
                                 "EnableSendfile On\n");                        // 33
  const auto result = compile(path);
  std::ostringstream out;
  dump_compat(out, result);
  const std::string f = tree.expand("  <T>/c/mixed.conf:");
  EXPECT_EQ(out.str(), "Directives in use that balancerd does not fully reproduce:\n" + f +
                           "5: StartServers (mpm_event_module) accepted, no effect\n" + f +
                           "6: MaxRequestWorkers (mpm_event_module) unsupported: concurrent connections are "
                           "not capped\n" +
                           f +
                           "8: MaxConnectionsPerChild (core_module) unsupported: the server process is "
                           "never recycled\n" +
                           f +
                           "11: AddDefaultCharset (core_module) unsupported: added to static files only, not "
                           "to proxied responses\n" +
                           f + "14: ScriptAlias (alias_module) unsupported: CGI is not implemented\n" + f +
                           "20: SetHandler (core_module) unsupported: this handler is not implemented\n" + f +
                           "25: Options (core_module) unsupported: content negotiation is not implemented\n" +
                           f + "27: Options (core_module) unsupported: symbolic links are always followed\n" +
                           f +
                           "29: FileETag (core_module) unsupported: only FileETag None and MTime Size are "
                           "reproduced\n" +
                           f + "31: AllowOverride (core_module) unsupported: .htaccess files are not read\n" +
                           f + "33: EnableSendfile (core_module) accepted, no effect\n");
}

// Nothing but implemented directives: the report says so.
TEST(CompatReport, NoneWhenEverythingIsImplemented) {
  Tree tree;
  const std::string path =
      tree.write("c/ok.conf", "Include <T>/base.conf\nServerName localhost\n"
                              "HostnameLookups Off\nListenBacklog 64\nExtendedStatus On\nMaxRanges default\n"
                              "MaxConnectionsPerChild 0\nErrorDocument 500 \"oops\"\n"
                              "<Location /x>\nSetHandler balancer-manager\n</Location>\n");
  std::ostringstream out;
  dump_compat(out, compile(path));
  EXPECT_EQ(out.str(), "Directives in use that balancerd does not fully reproduce:\n  (none)\n");
}

// balancerd speaks HTTP/1.1 only: Protocols naming h2/h2c and the mod_http2 settings that would
// change what a client sees are reported; a Protocols list of http/1.1 alone is not.
TEST(CompatReport, Http2IsReportedAsNotImplemented) {
  Tree tree;
  const std::string path = tree.write("c/h2.conf", "Include <T>/base.conf\n"  // 1
                                                   "ServerName localhost\n"   // 2
                                                   "LoadModule http2_module " // 3
                                                   "/usr/lib/apache2/modules/mod_http2.so\n"
                                                   "Protocols http/1.1\n"     // 4
                                                   "Protocols h2c http/1.1\n" // 5
                                                   "H2Direct on\n"            // 6
                                                   "H2WindowSize 65535\n");   // 7
  const auto result = compile(path);
  std::ostringstream out;
  dump_compat(out, result);
  const std::string f = tree.expand("  <T>/c/h2.conf:");
  EXPECT_EQ(out.str(), "Directives in use that balancerd does not fully reproduce:\n" + f +
                           "5: Protocols (core_module) unsupported: HTTP/2 is not implemented\n" + f +
                           "6: H2Direct (http2_module) unsupported: HTTP/2 is not implemented\n" + f +
                           "7: H2WindowSize (http2_module) unsupported: HTTP/2 is not implemented\n");
}

} // namespace
} // namespace balancerd::cli
