// Format items one by one, for the cases the captures do not cover: units, time zones, users,
// cookies, trailers, SSL variables, internal redirects, status conditions.
#include "log_test_support.hpp"

namespace balancerd::log::testing {
namespace {

class AccessItems : public ::testing::Test {
protected:
  void SetUp() override {
    use_utc();
    r.view.request_line = "GET /p?x HTTP/1.1";
    r.view.status = 200;
    r.view.begin = at_us(1795499415774272);
    r.view.end = at_us(1795499418001002);
  }
  FakeRequest r;
};

TEST_F(AccessItems, DurationUnits) {
  r.view.duration = std::chrono::microseconds(2500123);
  EXPECT_EQ(render("%T %{s}T %{ms}T %{us}T %D", r.view), "2 2 2500 2500123 2500123");
}

TEST_F(AccessItems, BeginAndEndTimes) {
  EXPECT_EQ(render("%{begin:sec}t %{end:sec}t %{end:msec_frac}t %{end:usec_frac}t %{end:%H:%M:%S}t", r.view),
            "1795499415 1795499418 001 001002 05:50:18");
  EXPECT_EQ(render("%{end:}t", r.view), "[24/Nov/2026:05:50:18 +0000]");
}

TEST_F(AccessItems, ClfTimeCarriesTheLocalOffset) {
  ::setenv("TZ", "<+0530>-5:30", 1);
  ::tzset();
  EXPECT_EQ(render("%t", r.view), "[24/Nov/2026:11:20:15 +0530]");
  ::setenv("TZ", "<-03>3", 1);
  ::tzset();
  EXPECT_EQ(render("%t", r.view), "[24/Nov/2026:02:50:15 -0300]");
  use_utc();
}

TEST_F(AccessItems, RemoteUserForms) {
  EXPECT_EQ(render("%u", r.view), "-");
  r.view.user = "";
  EXPECT_EQ(render("%u", r.view), "\"\"");
  r.view.user = "bob \"b\"";
  EXPECT_EQ(render("%u", r.view), "bob \\\"b\\\"");
}

TEST_F(AccessItems, ClientVersusPeerAddressAndHost) {
  r.view.client_ip = "203.0.113.9"; // mod_remoteip's useragent address
  r.view.client_port = 4000;
  r.conn.peer_ip = "10.0.0.1";
  r.conn.peer_port = 5555;
  r.conn.peer_host = "lb.internal";
  EXPECT_EQ(render("%a %{c}a %h %{c}h %{remote}p", r.view),
            "203.0.113.9 10.0.0.1 203.0.113.9 lb.internal 4000");
  r.view.remote_host = "client.example";
  EXPECT_EQ(render("%h", r.view), "client.example");
}

TEST_F(AccessItems, CookieByName) {
  r.in["Cookie"] = "a=1; JSESSIONID=abc.b1 ;x=\"q\"";
  EXPECT_EQ(render("%{JSESSIONID}C %{a}C %{x}C %{nope}C", r.view), "abc.b1 1 \\\"q\\\" -");
}

TEST_F(AccessItems, TrailersAndSslVariables) {
  r.tin["X-Checksum"] = "in1";
  r.tout["Grpc-Status"] = "0";
  r.ssl["SSL_PROTOCOL"] = "TLSv1.3";
  EXPECT_EQ(render("%{X-Checksum}^ti %{Grpc-Status}^to %{nope}^ti %{SSL_PROTOCOL}x %{SSL_CIPHER}x", r.view),
            "in1 0 - TLSv1.3 -");
}

TEST_F(AccessItems, OriginalAndFinalStatus) {
  r.view.original_status = 404; // ErrorDocument turned it into an internal redirect
  r.view.status = 200;
  EXPECT_EQ(render("%s %<s %>s", r.view), "404 404 200");
}

TEST_F(AccessItems, ResponseHeaderAndContentType) {
  r.out["Content-Type"] = "text/plain";
  EXPECT_EQ(render("%{content-type}o", r.view), "text/plain");
  // mod_log_config logs r->content_type without its parameters (apache2: "text/html" for its own
  // "text/html; charset=iso-8859-1" pages; compat http-core access-log-format)
  r.view.content_type = "text/html; charset=utf-8";
  EXPECT_EQ(render("%{Content-Type}o", r.view), "text/html");
}

TEST_F(AccessItems, StatusListsSelectAndNegate) {
  r.in["X"] = "v";
  const std::string f = "%400,501{X}i %!400,501{X}i";
  r.view.status = 501;
  EXPECT_EQ(render(f, r.view), "v -");
  r.view.status = 200;
  EXPECT_EQ(render(f, r.view), "- v");
}

TEST_F(AccessItems, EmptyValuesVersusMissingOnes) {
  r.in["Empty"] = "";
  EXPECT_EQ(render("[%{Empty}i] [%{Missing}i] [%q] [%l] [%f] [%R] [%L] [%{x}n]", r.view),
            "[] [-] [] [-] [-] [-] [-] [-]");
}

TEST_F(AccessItems, FormatEscapesAndPercent) {
  // mod_log_config interprets \t and \n in the format itself; literal text is not escaped again.
  EXPECT_EQ(render("a\\tb\\nc %% \\\\", r.view), "a\tb\nc % \\");
}

TEST_F(AccessItems, KeepalivesAndPorts) {
  r.conn.keepalives = 3;
  r.conn.local_port = 8443;
  r.view.server_port = 443;
  EXPECT_EQ(render("%k %p %{canonical}p %{local}p", r.view), "3 443 443 8443");
}

TEST_F(AccessItems, ControlCharactersInEnvAndNotes) {
  r.env["E"] = std::string("a\x01\x7f\n\r\v\b", 7);
  r.notes["N"] = "x\\y";
  EXPECT_EQ(render("%{E}e %{N}n", r.view), "a\\x01\\x7f\\n\\r\\v\\b x\\\\y");
}

TEST_F(AccessItems, ServerNameFallbacks) {
  r.view.server_name = "main.example";
  EXPECT_EQ(render("%v %V", r.view), "main.example main.example");
  r.view.request_host = "Alias.Example";
  EXPECT_EQ(render("%v %V", r.view), "main.example Alias.Example");
}

} // namespace
} // namespace balancerd::log::testing
