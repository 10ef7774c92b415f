// Access-log format items against lines real Apache 2.4.71 wrote (mod_log_config + mod_logio, event
// MPM, TZ=UTC) for the same requests. Each FakeRequest holds what balancerd's runtime would know
// about the request Apache logged; the expected strings are Apache's lines as written.
#include "log_test_support.hpp"

namespace balancerd::log::testing {
namespace {

// LogFormat "many" of the capture config (after config unquoting).
const std::string kMany =
    "h=%h a=%a ca=%{c}a A=%A l=%l u=%u r=\"%r\" s=%s fs=%>s os=%<s b=%b B=%B i=\"%{User-Agent}i\" "
    "ref=\"%{Referer}i\" o=\"%{X-Out}o\" ct=\"%{Content-Type}o\" e=%{IS_TESTER}e n=%{nonote}n v=%v V=%V p=%p "
    "pc=%{canonical}p pl=%{local}p pr=%{remote}p U=%U q=%q m=%m H=%H I=%I O=%O S=%S ch=%{c}h X=%X k=%k f=%f "
    "R=%R pct=%% c1=\"%!200,304{User-Agent}i\" c2=\"%404{User-Agent}i\" c3=\"%200{User-Agent}i\"";
const std::string kTimes =
    "t=%t tf=%{%Y-%m-%d %H:%M:%S}t tb=%{begin:%d}t te=%{end:%d}t tsec=%{sec}t tms=%{msec}t tus=%{usec}t "
    "tmf=%{msec_frac}t tuf=%{usec_frac}t D=%D T=%T Tms=%{ms}T Tus=%{us}T Ts=%{s}T P=%P Pp=%{pid}P Pt=%{tid}P "
    "Ph=%{hextid}P L=%L";
const std::string kCombined = "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"";

// What every captured request shares: vhost logtest.example on 127.0.0.1:28971, canonical port 80.
void common(FakeRequest& r, std::uint16_t client_port, std::string_view line, int status) {
  r.conn.peer_port = client_port;
  r.conn.local_port = 28971;
  r.view.client_port = client_port;
  r.view.server_name = "logtest.example";
  r.view.server_port = 80;
  r.view.request_line = line;
  const auto sp1 = line.find(' ');
  const auto sp2 = line.rfind(' ');
  r.view.method = line.substr(0, sp1);
  r.view.protocol = line.substr(sp2 + 1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const auto q = target.find('?');
  r.view.path = target.substr(0, q);
  if (q != std::string_view::npos) r.view.query = target.substr(q + 1);
  r.view.status = status;
  r.view.begin = at_us(1795499415774272);
  r.view.end = r.view.begin;
}

class AccessCapture : public ::testing::Test {
protected:
  void SetUp() override { use_utc(); }
};

TEST_F(AccessCapture, ManyCodesFor200WithQueryRefererAndEnv) {
  FakeRequest r;
  common(r, 33750, "GET /index.html?x=1&y=2 HTTP/1.1", 200);
  r.in["User-Agent"] = "tester/1.0";
  r.in["Referer"] = "http://ref.example/a";
  r.in["Host"] = "logtest.example:28971";
  r.out["X-Out"] = "out-value";
  r.env["IS_TESTER"] = "yes";
  r.view.request_host = "logtest.example";
  r.view.body_bytes = 6;
  r.view.bytes_in = 139;
  r.view.bytes_out = 243;
  r.view.filename = "/tmp/logging/apache/docs/index.html";
  EXPECT_EQ(
      render(kMany, r.view),
      "h=127.0.0.1 a=127.0.0.1 ca=127.0.0.1 A=127.0.0.1 l=- u=- r=\"GET /index.html?x=1&y=2 HTTP/1.1\" s=200 "
      "fs=200 os=200 b=6 B=6 i=\"tester/1.0\" ref=\"http://ref.example/a\" o=\"out-value\" ct=\"-\" e=yes "
      "n=- "
      "v=logtest.example V=logtest.example p=80 pc=80 pl=28971 pr=33750 U=/index.html q=?x=1&y=2 m=GET "
      "H=HTTP/1.1 I=139 O=243 S=382 ch=127.0.0.1 X=- k=0 f=/tmp/logging/apache/docs/index.html R=- pct=% "
      "c1=\"-\" c2=\"-\" c3=\"tester/1.0\"");
  EXPECT_EQ(render(kCombined, r.view), "127.0.0.1 - - [24/Nov/2026:05:50:15 +0000] \"GET /index.html?x=1&y=2 "
                                       "HTTP/1.1\" 200 6 \"http://ref.example/a\" \"tester/1.0\"");
}

TEST_F(AccessCapture, ForbiddenHttp10AndNegatedStatusCondition) {
  FakeRequest r;
  common(r, 33774, "GET /deny/a.txt HTTP/1.0", 403);
  r.in["User-Agent"] = "tester";
  r.env["IS_TESTER"] = "yes";
  r.out["Content-Type"] = "text/html; charset=iso-8859-1";
  r.view.content_type = "text/html";
  r.view.body_bytes = 239;
  r.view.bytes_in = 48;
  r.view.bytes_out = 419;
  r.view.filename = "/tmp/logging/apache/docs/deny/a.txt";
  EXPECT_EQ(
      render(kMany, r.view),
      "h=127.0.0.1 a=127.0.0.1 ca=127.0.0.1 A=127.0.0.1 l=- u=- r=\"GET /deny/a.txt HTTP/1.0\" s=403 fs=403 "
      "os=403 b=239 B=239 i=\"tester\" ref=\"-\" o=\"-\" ct=\"text/html\" e=yes n=- v=logtest.example "
      "V=logtest.example p=80 pc=80 pl=28971 pr=33774 U=/deny/a.txt q= m=GET H=HTTP/1.0 I=48 O=419 S=467 "
      "ch=127.0.0.1 X=- k=0 f=/tmp/logging/apache/docs/deny/a.txt R=- pct=% c1=\"tester\" c2=\"-\" c3=\"-\"");
}

TEST_F(AccessCapture, ProxyErrorShowsHandlerAndProxyFilename) {
  FakeRequest r;
  common(r, 33776, "POST /refused/x?q HTTP/1.1", 503);
  r.view.content_type = "text/html";
  r.view.body_bytes = 339;
  r.view.bytes_in = 96;
  r.view.bytes_out = 529;
  r.view.filename = "proxy:http://127.0.0.1:1/x?q";
  r.view.handler = "proxy-server";
  EXPECT_EQ(
      render(kMany, r.view),
      "h=127.0.0.1 a=127.0.0.1 ca=127.0.0.1 A=127.0.0.1 l=- u=- r=\"POST /refused/x?q HTTP/1.1\" s=503 "
      "fs=503 "
      "os=503 b=339 B=339 i=\"-\" ref=\"-\" o=\"-\" ct=\"text/html\" e=- n=- v=logtest.example "
      "V=logtest.example p=80 pc=80 pl=28971 pr=33776 U=/refused/x q=?q m=POST H=HTTP/1.1 I=96 O=529 S=625 "
      "ch=127.0.0.1 X=- k=0 f=proxy:http://127.0.0.1:1/x?q R=proxy-server pct=% c1=\"-\" c2=\"-\" c3=\"-\"");
}

TEST_F(AccessCapture, NotModifiedHasDashBytesAndEscapedTab) {
  FakeRequest r;
  common(r, 33786, "GET /index.html HTTP/1.1", 304);
  r.in["User-Agent"] = "a\tb";
  r.out["X-Out"] = "out-value";
  r.view.bytes_in = 105;
  r.view.bytes_out = 228;
  r.view.filename = "/tmp/logging/apache/docs/index.html";
  EXPECT_EQ(render(kCombined, r.view),
            "127.0.0.1 - - [24/Nov/2026:05:50:15 +0000] \"GET /index.html HTTP/1.1\" 304 - \"-\" \"a\\tb\"");
  EXPECT_EQ(render("b=%b B=%B i=\"%{User-Agent}i\" c1=\"%!200,304{User-Agent}i\"", r.view),
            "b=- B=0 i=\"a\\tb\" c1=\"-\"");
}

TEST_F(AccessCapture, QuoteInRequestLineIsBackslashed) {
  FakeRequest r;
  common(r, 33790, "GET /bad\"q HTTP/1.1", 404);
  r.view.request_host = "x";
  r.view.content_type = "text/html";
  r.view.body_bytes = 236;
  r.view.bytes_in = 51;
  r.view.bytes_out = 416;
  r.view.filename = "/tmp/logging/apache/docs/bad\"q";
  EXPECT_EQ(
      render(kMany, r.view),
      "h=127.0.0.1 a=127.0.0.1 ca=127.0.0.1 A=127.0.0.1 l=- u=- r=\"GET /bad\\\"q HTTP/1.1\" s=404 fs=404 "
      "os=404 b=236 B=236 i=\"-\" ref=\"-\" o=\"-\" ct=\"text/html\" e=- n=- v=logtest.example V=x p=80 "
      "pc=80 "
      "pl=28971 pr=33790 U=/bad\\\"q q= m=GET H=HTTP/1.1 I=51 O=416 S=467 ch=127.0.0.1 X=- k=0 "
      "f=/tmp/logging/apache/docs/bad\\\"q R=- pct=% c1=\"-\" c2=\"-\" c3=\"-\"");
}

TEST_F(AccessCapture, HeadOnKeptAliveConnection) {
  FakeRequest r;
  common(r, 33792, "HEAD / HTTP/1.1", 404);
  r.view.request_host = "a";
  r.view.content_type = "text/html";
  r.view.bytes_in = 29;
  r.view.bytes_out = 140;
  r.view.connection_status = '+';
  r.view.filename = "/tmp/logging/apache/docs/";
  EXPECT_EQ(render(kCombined, r.view),
            "127.0.0.1 - - [24/Nov/2026:05:50:15 +0000] \"HEAD / HTTP/1.1\" 404 - \"-\" \"-\"");
  EXPECT_EQ(render("V=%V X=%X b=%b B=%B I=%I O=%O S=%S", r.view), "V=a X=+ b=- B=0 I=29 O=140 S=169");
}

TEST_F(AccessCapture, NonAsciiBackslashAndQuotesInHeaderAndUrl) {
  FakeRequest r;
  common(r, 60856, "GET /caf\xc3\xa9?a=\"b\\c HTTP/1.1", 404);
  r.in["User-Agent"] = "w \"q\" \\ \xc3\xa9 ~";
  r.view.body_bytes = 236;
  EXPECT_EQ(render(kCombined, r.view),
            "127.0.0.1 - - [24/Nov/2026:05:50:15 +0000] \"GET /caf\\xc3\\xa9?a=\\\"b\\\\c "
            "HTTP/1.1\" 404 236 \"-\" \"w \\\"q\\\" \\\\ \\xc3\\xa9 ~\"");
  EXPECT_EQ(render("U=%U q=%q c1=\"%!200,304{User-Agent}i\" c2=\"%404{User-Agent}i\"", r.view),
            "U=/caf\\xc3\\xa9 q=?a=\\\"b\\\\c c1=\"w \\\"q\\\" \\\\ \\xc3\\xa9 ~\" c2=\"w \\\"q\\\" \\\\ "
            "\\xc3\\xa9 ~\"");
}

TEST_F(AccessCapture, TimeDurationPidAndLogIdCodes) {
  FakeRequest r;
  common(r, 33750, "GET / HTTP/1.1", 200);
  r.view.duration = std::chrono::microseconds(329);
  r.view.pid = 27560;
  r.view.thread_id = 140630580229824ULL;
  r.view.log_id = "QCTfSJcpKhw";
  EXPECT_EQ(
      render(kTimes, r.view),
      "t=[24/Nov/2026:05:50:15 +0000] tf=2026-11-24 05:50:15 tb=24 te=24 tsec=1795499415 tms=1795499415774 "
      "tus=1795499415774272 tmf=774 tuf=774272 D=329 T=0 Tms=0 Tus=329 Ts=0 P=27560 Pp=27560 "
      "Pt=140630580229824 Ph=7fe71bc776c0 L=QCTfSJcpKhw");
}

} // namespace
} // namespace balancerd::log::testing
