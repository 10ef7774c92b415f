// Error-log lines against lines real Apache 2.4.71 wrote (default layout, and an ErrorLogFormat
// exercising fields, '-' and minimum levels), TZ=UTC.
#include "directives/diagnostics.hpp"
#include "log_test_support.hpp"
#include "server/log/error_format.hpp"

namespace balancerd::log::testing {
namespace {

class ErrorLine : public ::testing::Test {
protected:
  void SetUp() override { use_utc(); }

  static ErrorEvent event(ModuleIndex m, int level, long long when_us, long pid, long tid) {
    ErrorEvent ev;
    ev.module = m;
    ev.level = level;
    ev.when = at_us(when_us);
    ev.pid = pid;
    ev.tid = tid;
    return ev;
  }
  static std::string line(const ErrorLineFormat& f, const ErrorEvent& ev, std::string_view message) {
    std::string out;
    f.render(ev, message, out);
    return out;
  }
};

TEST_F(ErrorLine, DefaultDebugLineWithSourceClientAndReferer) {
  FakeRequest r;
  r.view.client_port = 33750;
  r.in["Referer"] = "http://ref.example/a";
  ErrorEvent ev = event(mod::authz_core, kDebug, 1795499415774388, 27560, 27570);
  ev.file = "mod_authz_core.c";
  ev.line = 843;
  ev.request = &r.view;
  EXPECT_EQ(
      line(ErrorLineFormat::apache_default(), ev, "AH01628: authorization result: granted (no directives)"),
      "[Tue Nov 24 05:50:15.774388 2026] [authz_core:debug] [pid 27560:tid 27570] mod_authz_core.c(843): "
      "[client 127.0.0.1:33750] AH01628: authorization result: granted (no directives), referer: "
      "http://ref.example/a");
}

TEST_F(ErrorLine, DefaultErrorLineHasNoSourceLocation) {
  FakeRequest r;
  r.view.client_port = 33774;
  ErrorEvent ev = event(mod::authz_core, kError, 1795499415783250, 27559, 27565);
  ev.file = "mod_authz_core.c";
  ev.line = 100;
  ev.request = &r.view;
  EXPECT_EQ(
      line(ErrorLineFormat::apache_default(), ev,
           "AH01630: client denied by server configuration: /tmp/logging/apache/docs/deny/a.txt"),
      "[Tue Nov 24 05:50:15.783250 2026] [authz_core:error] [pid 27559:tid 27565] [client 127.0.0.1:33774] "
      "AH01630: client denied by server configuration: /tmp/logging/apache/docs/deny/a.txt");
}

TEST_F(ErrorLine, DefaultLineWithOsErrorAndNoRequest) {
  ErrorEvent ev = event(mod::proxy, kError, 1795500381510661, 6992, 6996);
  ev.os_error = 111;
  EXPECT_EQ(
      line(ErrorLineFormat::apache_default(), ev,
           "AH00957: http: attempt to connect to 127.0.0.1:1 (127.0.0.1:1) failed"),
      "[Tue Nov 24 06:06:21.510661 2026] [proxy:error] [pid 6992:tid 6996] (111)Connection refused: AH00957: "
      "http: attempt to connect to 127.0.0.1:1 (127.0.0.1:1) failed");
}

// APR's status codes are worded as apr_strerror words them (apache2's connectiontimeout= and acquire=
// lines), not as strerror would.
TEST_F(ErrorLine, AprTimeupIsWordedAsApr) {
  ErrorEvent ev = event(mod::proxy, kError, 1795500381510661, 6992, 6996);
  ev.os_error = 70007;
  EXPECT_EQ(
      line(ErrorLineFormat::apache_default(), ev,
           "AH00941: http: failed to acquire connection for (127.0.0.1:1)"),
      "[Tue Nov 24 06:06:21.510661 2026] [proxy:error] [pid 6992:tid 6996] (70007)The timeout specified has "
      "expired: AH00941: http: failed to acquire connection for (127.0.0.1:1)");
}

TEST_F(ErrorLine, MessageIsEscapedButQuotesStay) {
  FakeRequest r;
  r.view.client_port = 33766;
  ErrorEvent ev = event(mod::core, kDebug, 1795499415782736, 27559, 27563);
  ev.file = "protocol.c";
  ev.line = 1310;
  ev.request = &r.view;
  EXPECT_EQ(line(ErrorLineFormat::apache_default(), ev,
                 "AH02427: Request header value is malformed: weird \"q\" \\ \x01\x7f\xc3\xa9 end"),
            "[Tue Nov 24 05:50:15.782736 2026] [core:debug] [pid 27559:tid 27563] protocol.c(1310): [client "
            "127.0.0.1:33766] AH02427: Request header value is malformed: weird \"q\" \\\\ "
            "\\x01\\x7f\\xc3\\xa9 end");
}

TEST_F(ErrorLine, DefaultMatchesConfigTimeFormatter) {
  // directives/diagnostics.hpp formats config-time lines; both must agree on the layout.
  const ErrorEvent ev = event(mod::core, kWarn, 1795499409216297, 27553, 27553);
  const std::string text = "AH00094: Command line: 'x\ty'";
  directives::LogRecord record{"core", "warn", text, false};
  EXPECT_EQ(line(ErrorLineFormat::apache_default(), ev, text),
            directives::format_log_line(record, ev.when, ev.pid, ev.tid));
}

TEST_F(ErrorLine, SyslogDefaultDropsTheTime) {
  const ErrorEvent ev = event(mod::mpm_event, kNotice, 1795499409216281, 27553, 27553);
  EXPECT_EQ(line(ErrorLineFormat::apache_syslog_default(), ev, "AH00489: x"),
            "[mpm_event:notice] [pid 27553:tid 27553] AH00489: x");
}

// ErrorLogFormat of the capture config.
const std::string kCustom =
    "[%{u}t] [%-m:%l] [pid %P] X=%{Nope}i Y=%-{Nope}i Z=%{User-Agent}i %7F: [client\\ %a] "
    "[c %{c}a] [A %A] [v %v V %V] [k %k] [L %L] %M% ,\\ referer\\ %{Referer}i";

TEST_F(ErrorLine, CustomFormatWithoutRequestDropsEmptyFields) {
  const auto f = ErrorLineFormat::compile(kCustom);
  ASSERT_TRUE(f);
  ErrorEvent ev = event(mod::mpm_event, kNotice, 1795499447460633, 29544, 29544);
  ev.server_name = "logtest.example";
  EXPECT_EQ(
      line(*f, ev, "AH00489: Apache/2.4.71 (Debian) configured -- resuming normal operations"),
      "[Tue Nov 24 05:50:47.460633 2026] [mpm_event:notice] [pid 29544] Y=- [c [A [v logtest.example V [k [L "
      "AH00489: Apache/2.4.71 (Debian) configured -- resuming normal operations");
  ev.level = kDebug;
  ev.module = mod::proxy;
  ev.file = "proxy_util.c";
  ev.line = 2829;
  ev.when = at_us(1795499448524613);
  ev.pid = 29547;
  EXPECT_EQ(line(*f, ev, "AH00942: http: has acquired connection for (127.0.0.1:1)"),
            "[Tue Nov 24 05:50:48.524613 2026] [proxy:debug] [pid 29547] Y=- proxy_util.c(2829): [c [A [v "
            "logtest.example V [k [L AH00942: http: has acquired connection for (127.0.0.1:1)");
}

TEST_F(ErrorLine, CustomFormatWithRequest) {
  const auto f = ErrorLineFormat::compile(kCustom);
  ASSERT_TRUE(f);
  FakeRequest r;
  r.conn.peer_port = 48734;
  r.conn.local_port = 28972;
  r.view.client_port = 48734;
  r.view.server_name = "logtest.example";
  r.view.request_host = "127.0.0.1";
  r.view.log_id = "2N7SShdKXXY";
  r.in["User-Agent"] = "ua x";
  r.in["Referer"] = "http://r.example/";
  ErrorEvent ev = event(mod::proxy_http, kError, 1795499448524763, 29547, 1);
  ev.request = &r.view;
  ev.file = "mod_proxy_http.c";
  ev.line = 1;
  EXPECT_EQ(
      line(*f, ev, "AH01114: HTTP: failed to make connection to backend: 127.0.0.1"),
      "[Tue Nov 24 05:50:48.524763 2026] [proxy_http:error] [pid 29547] Y=- Z=ua x [client 127.0.0.1:48734] "
      "[c 127.0.0.1:48734] [A 127.0.0.1:28972] [v logtest.example V 127.0.0.1] [k 0] [L 2N7SShdKXXY] "
      "AH01114: HTTP: failed to make connection to backend: 127.0.0.1, referer http://r.example/");
  ev.level = kTrace2;
  ev.module = mod::proxy;
  ev.file = "mod_proxy.c";
  ev.line = 848;
  ev.when = at_us(1795499472446214);
  ev.pid = 29548;
  r.in.erase("Referer");
  r.in["User-Agent"] = "w \"q\" \\ \xc3\xa9 ~";
  r.view.request_host = "logtest.example";
  r.view.log_id = "y+I/TJdOXXY";
  r.view.client_port = r.conn.peer_port = 60856;
  EXPECT_EQ(
      line(*f, ev,
           "AH03461: attempting to match URI path '/caf\xc3\xa9' against prefix '/refused/' for "
           "proxying"),
      "[Tue Nov 24 05:51:12.446214 2026] [proxy:trace2] [pid 29548] Y=- Z=w \"q\" \\\\ \\xc3\\xa9 ~ "
      "mod_proxy.c(848): [client 127.0.0.1:60856] [c 127.0.0.1:60856] [A 127.0.0.1:28972] [v logtest.example "
      "V logtest.example] [k 0] [L y+I/TJdOXXY] AH03461: attempting to match URI path '/caf\\xc3\\xa9' "
      "against "
      "prefix '/refused/' for proxying");
}

TEST_F(ErrorLine, OtherTimeFormsAndIds) {
  const auto f = ErrorLineFormat::compile("%t|%{cu}t|%{g}T|%{c}L|%{C}L|%-{C}L|%%|%l");
  ASSERT_TRUE(f);
  ConnLogView conn;
  conn.log_id = "CONNID";
  ErrorEvent ev = event(mod::core, kTrace8, 1795499447460633, 1, 42);
  ev.conn = &conn;
  EXPECT_EQ(line(*f, ev, "m"),
            "Tue Nov 24 05:50:47 2026|2026-11-24 05:50:47.460633|42|CONNID|CONNID|CONNID|%|trace8");
}

TEST_F(ErrorLine, BadFormatIsRejected) {
  std::string error;
  EXPECT_FALSE(ErrorLineFormat::compile("[%Z]", &error));
  EXPECT_NE(error.find("%Z"), std::string::npos);
  EXPECT_TRUE(ErrorLineFormat::compile("[%{u}t"));
  EXPECT_FALSE(ErrorLineFormat::compile("%{u", &error));
  EXPECT_FALSE(ErrorLineFormat::compile("x %", &error));
}

} // namespace
} // namespace balancerd::log::testing
