// The -S output (DUMP_VHOSTS + DUMP_RUN_CFG) and -M output of balancerd's command line, compared
// with the capture of apache2 -S in configtest-captures.md ("-S fixture") and apache2 -M.
#include "server/cli/dumps.hpp"
#include "server/cli/tests/config_tree.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace balancerd::cli {
namespace {

using test_support::compile;
using test_support::Tree;

const char* const srv_conf = R"CONF(Include <T>/base.conf
Include <T>/baseproxy.conf
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
TypesConfig /etc/mime.types
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
User www-data
Group www-data
ServerName main.example
DocumentRoot <T>/www
Listen 127.0.0.1:28081
LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Host}i\" %v" vfmt
CustomLog <T>/run/access.log vfmt
<Directory <T>/www>
  Require all granted
</Directory>
<VirtualHost 127.0.0.1:28080>
  ServerName first.example
  Header always set X-VH first
  <Location />
    Header always set X-Loc1 root
  </Location>
  <Location /a>
    Header always set X-Loc2 a
    Header always set X-Over from-a
  </Location>
  <LocationMatch ^/a>
    Header always set X-Over from-locationmatch
  </LocationMatch>
  <Location /a/b>
    Header always set X-Over from-a-b
  </Location>
  <Location /deny>
    Require all denied
  </Location>
  <Location /ip>
    <RequireAny>
      Require ip 10.0.0.0/8
      Require method OPTIONS
    </RequireAny>
  </Location>
  <Location /hdr>
    Header set X-Only2xx yes
    Header always set X-Always yes
    RequestHeader set X-Req foo
  </Location>
</VirtualHost>
<VirtualHost 127.0.0.1:28080>
  ServerName second.example
  ServerAlias *.wild.example alias?.example
  Header always set X-VH second
</VirtualHost>
<VirtualHost *:28081>
  ServerName star.example
  Header always set X-VH star
</VirtualHost>
<VirtualHost *:28081 127.0.0.1:28081>
  ServerName mixed.example
  Header always set X-VH mixed
</VirtualHost>
ServerTokens Prod
ServerSignature On
TraceEnable off
<VirtualHost 127.0.0.1:28080>
  ServerName proxy.example
  ProxyPass /back/ http://127.0.0.1:28081/
  ProxyPassReverse /back/ http://127.0.0.1:28081/
  <Location /loc>
    ProxyPass http://127.0.0.1:28081/
    Require all granted
  </Location>
  ProxyPass /dead/ http://127.0.0.1:1/
</VirtualHost>
)CONF";

const char* const srv_expected = R"CONF(VirtualHost configuration:
127.0.0.1:28081        mixed.example (<T>/c/srv.conf:56)
127.0.0.1:28080        is a NameVirtualHost
         default server first.example (<T>/c/srv.conf:16)
         port 28080 namevhost first.example (<T>/c/srv.conf:16)
         port 28080 namevhost second.example (<T>/c/srv.conf:47)
                 wild alias *.wild.example
                 wild alias alias?.example
         port 28080 namevhost proxy.example (<T>/c/srv.conf:63)
*:28081                is a NameVirtualHost
         default server star.example (<T>/c/srv.conf:52)
         port 28081 namevhost star.example (<T>/c/srv.conf:52)
         port 28081 namevhost mixed.example (<T>/c/srv.conf:56)
ServerRoot: "<T>/root"
Main DocumentRoot: "<T>/www"
Main ErrorLog: "<T>/run/error.log"
Mutex proxy-balancer-shm: using_defaults
Mutex ssl-stapling-refresh: using_defaults
Mutex ssl-stapling: using_defaults
Mutex proxy: using_defaults
Mutex ssl-cache: using_defaults
Mutex default: dir="<T>/run/" mechanism=default 
Mutex watchdog-callback: using_defaults
PidFile: "<T>/run/httpd.pid"
Define: DUMP_VHOSTS
Define: DUMP_RUN_CFG
User: name="www-data" id=33
Group: name="www-data" id=33
)CONF";

TEST(CliDumps, DashSMatchesTheCapture) {
  Tree tree;
  const std::string path = tree.write("c/srv.conf", srv_conf);
  const auto result = compile(path, {"DUMP_VHOSTS", "DUMP_RUN_CFG"});
  std::ostringstream out;
  dump_vhosts(out, result);
  dump_run_cfg(out, result);
  EXPECT_EQ(out.str(), tree.expand(srv_expected));
}

// Chains are ordered by hash bucket, then by the last vhost using the address; wildcard chains
// after them (expected text recorded with apache2 -t -D DUMP_VHOSTS on the same file).
TEST(CliDumps, VhostChainOrderAndNames) {
  Tree tree;
  const std::string path = tree.write("c/s2.conf", R"(Include <T>/base.conf
ServerName localhost
<VirtualHost *:82>
ServerName a82
</VirtualHost>
<VirtualHost *:81>
ServerName a81
ServerAlias x y*
</VirtualHost>
<VirtualHost *:81>
ServerName b81
</VirtualHost>
<VirtualHost 10.0.0.2:80 10.0.0.1:80>
ServerName ip
</VirtualHost>
<VirtualHost 127.0.0.1:28081>
ServerName mixed
</VirtualHost>
<VirtualHost [::1]:80 *>
ServerName v6
</VirtualHost>
<VirtualHost 10.0.0.3>
ServerName noport
</VirtualHost>
<VirtualHost 10.0.0.3:*>
ServerName starport
</VirtualHost>
<VirtualHost 127.0.0.1:28080>
ServerName ip28080
</VirtualHost>
)");
  const auto result = compile(path, {});
  std::ostringstream out;
  dump_vhosts(out, result);
  EXPECT_EQ(out.str(), tree.expand(R"(VirtualHost configuration:
[::1]:80               v6 (<T>/c/s2.conf:19)
10.0.0.2:80            ip (<T>/c/s2.conf:13)
10.0.0.3:*             is a NameVirtualHost
         default server noport (<T>/c/s2.conf:22)
         port * namevhost noport (<T>/c/s2.conf:22)
         port * namevhost starport (<T>/c/s2.conf:25)
10.0.0.1:80            ip (<T>/c/s2.conf:13)
127.0.0.1:28081        mixed (<T>/c/s2.conf:16)
127.0.0.1:28080        ip28080 (<T>/c/s2.conf:28)
*:82                   a82 (<T>/c/s2.conf:3)
*:81                   is a NameVirtualHost
         default server a81 (<T>/c/s2.conf:6)
         port 81 namevhost a81 (<T>/c/s2.conf:6)
                 alias x
                 wild alias y*
         port 81 namevhost b81 (<T>/c/s2.conf:10)
*:*                    v6 (<T>/c/s2.conf:19)
)"));
}

TEST(CliDumps, DashMListsStaticThenShared) {
  Tree tree;
  const std::string path = tree.write("c/m.conf", "Include <T>/base.conf\nServerName localhost\nLoadModule "
                                                  "headers_module /usr/lib/apache2/modules/mod_headers.so\n");
  const auto result = compile(path, {"DUMP_MODULES"});
  std::ostringstream out;
  dump_modules(out, *result.config);
  EXPECT_EQ(out.str(),
            "Loaded Modules:\n core_module (static)\n so_module (static)\n watchdog_module (static)\n"
            " http_module (static)\n log_config_module (static)\n logio_module (static)\n"
            " version_module (static)\n unixd_module (static)\n mpm_event_module (shared)\n"
            " authz_core_module (shared)\n headers_module (shared)\n");
}

TEST(CliDumps, CompatListsWhatIsNotImplemented) {
  Tree tree;
  const std::string path = tree.write("c/compat.conf", "Include <T>/base.conf\nServerName localhost\n"
                                                       "StartServers 2\nEnableSendfile On\n");
  const auto result = compile(path, {});
  std::ostringstream out;
  dump_compat(out, result);
  const std::string text = out.str();
  EXPECT_NE(
      text.find(tree.expand("<T>/c/compat.conf:3: StartServers (mpm_event_module) accepted, no effect")),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(tree.expand("<T>/c/compat.conf:4: EnableSendfile (core_module)")), std::string::npos)
      << text;
  EXPECT_EQ(text.find("ServerName"), std::string::npos) << text;
}

// TLS toward clients is terminated: SSLEngine and the settings balancerd reproduces are not listed;
// what it does not (SSLUserName, CRLs...) is, with the reason; SSLProxy* is not.
TEST(CliDumps, CompatListsClientTlsWithItsReason) {
  Tree tree;
  const std::string path = tree.write("c/tls.conf", "Include <T>/base.conf\nInclude <T>/baseproxy.conf\n"
                                                    "ServerName localhost\nSSLEngine off\n"
                                                    "<VirtualHost 127.0.0.1:28443>\n"
                                                    "  SSLEngine on\n"
                                                    "  SSLProtocol all -SSLv3\n"
                                                    "  SSLUserName SSL_CLIENT_S_DN_CN\n"
                                                    "  SSLProxyEngine on\n"
                                                    "</VirtualHost>\n");
  const auto result = compile(path, {});
  std::ostringstream out;
  dump_compat(out, result);
  const std::string text = out.str();
  const std::string why =
      " (ssl_module) unsupported: not reproduced by balancerd's TLS termination toward clients\n";
  EXPECT_NE(text.find(tree.expand("<T>/c/tls.conf:8: SSLUserName") + why), std::string::npos) << text;
  EXPECT_EQ(text.find("SSLEngine"), std::string::npos) << text;
  EXPECT_EQ(text.find("SSLProtocol"), std::string::npos) << text;
  EXPECT_EQ(text.find("SSLProxyEngine"), std::string::npos) << text;
}

} // namespace
} // namespace balancerd::cli

namespace balancerd::cli {
namespace {

// The -L context lines, as apache2 -L prints them for these override sets (KeepAlive, Require,
// Header, DirectoryIndex-like, <IfVersion>).
TEST(CliDumps, AllowedInLines) {
  using namespace directives;
  EXPECT_EQ(allowed_in_text(RSRC_CONF),
            "\tAllowed in *.conf only outside <Directory>, <Files>, <Location>, or <If>");
  EXPECT_EQ(allowed_in_text(OR_AUTHCFG),
            "\tAllowed in *.conf only inside <Directory>, <Files>, <Location>, or <If> and in .htaccess\n"
            "\twhen AllowOverride includes AuthConfig");
  EXPECT_EQ(allowed_in_text(OR_AUTHCFG | OR_LIMIT),
            "\tAllowed in *.conf only inside <Directory>, <Files>, <Location>, or <If> and in .htaccess\n"
            "\twhen AllowOverride includes AuthConfig or Limit");
  EXPECT_EQ(allowed_in_text(OR_FILEINFO),
            "\tAllowed in *.conf anywhere and in .htaccess\n\twhen AllowOverride includes FileInfo");
  EXPECT_EQ(allowed_in_text(RSRC_CONF | ACCESS_CONF), "\tAllowed in *.conf anywhere");
  EXPECT_EQ(
      allowed_in_text(OR_ALL | RSRC_CONF | ACCESS_CONF, true),
      "\tAllowed in *.conf anywhere [no per-dir config] and in .htaccess\n\twhen AllowOverride isn't None");
}

} // namespace
} // namespace balancerd::cli
