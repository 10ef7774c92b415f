// The Host a request's target names (absolute-form, CONNECT), and what the parser records for
// CONNECT and Expect, as apache2 2.4.71 answered them (compat-tests/http-bad-input absolute-form,
// authority-form, expect-values).
#include <gtest/gtest.h>

#include <string>

#include "server/http/request_parser.hpp"
#include "server/http/target_host.hpp"

namespace balancerd::http {
namespace {

struct Parsed {
  std::string buf;
  Request req;
  RequestParser parser;
  RequestParser::Result result;
  explicit Parsed(std::string raw) : buf(std::move(raw)) {
    result = parser.parse(buf.data(), buf.size(), req);
  }
};

std::string host_of(const std::string& raw) {
  Parsed p(raw);
  EXPECT_EQ(p.result, RequestParser::Result::Done) << raw;
  std::string out = "<unchanged>";
  if (!target_host_value(p.req, out)) return "<unchanged>";
  return out;
}

TEST(TargetHost, AbsoluteFormReplacesHostByTheUriAuthority) {
  EXPECT_EQ(host_of("GET http://localhost/a HTTP/1.1\r\nHost: other\r\n\r\n"), "localhost");
  EXPECT_EQ(host_of("GET http://LocalHost.:8080/a HTTP/1.1\r\nHost: other\r\n\r\n"), "localhost:8080");
  EXPECT_EQ(host_of("GET http://[::1]:80/a?q HTTP/1.1\r\nHost: other\r\n\r\n"), "[::1]:80");
  EXPECT_EQ(host_of("GET HTTP://Example.COM HTTP/1.1\r\nHost: x\r\n\r\n"), "example.com");
}

TEST(TargetHost, NoHostHeaderStaysWithout) {
  // HTTP/1.0 without Host: Apache adds none (no X-Forwarded-Host reaches the backend)
  EXPECT_EQ(host_of("GET http://localhost:80/a HTTP/1.0\r\n\r\n"), "<unchanged>");
}

TEST(TargetHost, OriginFormKeepsTheHostHeader) {
  EXPECT_EQ(host_of("GET /a HTTP/1.1\r\nHost: Other:81\r\n\r\n"), "<unchanged>");
}

TEST(TargetHost, ConnectNamesItsAuthority) {
  EXPECT_EQ(host_of("CONNECT LocalHost:443 HTTP/1.1\r\nHost: other\r\n\r\n"), "localhost:443");
}

TEST(ConnectTarget, ServedAsSlashWithTheAuthorityAsHost) {
  Parsed p("CONNECT v3:443 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_EQ(p.result, RequestParser::Result::Done);
  EXPECT_EQ(p.req.method, Method::Connect);
  EXPECT_EQ(p.req.path, "/");
  EXPECT_EQ(p.req.host, "v3"); // the authority selects the virtual host
  EXPECT_EQ(p.req.port, "443");
}

TEST(ConnectTarget, PortRequiredAndNoOriginForm) {
  for (const char* raw : {"CONNECT localhost HTTP/1.1\r\nHost: localhost\r\n\r\n",
                          "CONNECT /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
                          "CONNECT * HTTP/1.1\r\nHost: localhost\r\n\r\n"}) {
    Parsed p(raw);
    ASSERT_EQ(p.result, RequestParser::Result::Error) << raw;
    EXPECT_EQ(p.parser.error().status, 400) << raw;
  }
}

TEST(ExpectHeader, HundredContinueRecordedAtEveryVersion) {
  Parsed p10("GET /a HTTP/1.0\r\nHost: x\r\nExpect: 100-continue\r\n\r\n");
  ASSERT_EQ(p10.result, RequestParser::Result::Done);
  EXPECT_TRUE(p10.req.expect_100);       // Apache closes after answering it
  EXPECT_FALSE(p10.req.expect_continue); // and never sends 100 to HTTP/1.0
  Parsed p11("GET /a HTTP/1.1\r\nHost: x\r\nExpect: 100-CONTINUE\r\n\r\n");
  ASSERT_EQ(p11.result, RequestParser::Result::Done);
  EXPECT_TRUE(p11.req.expect_100);
  EXPECT_TRUE(p11.req.expect_continue);
  Parsed none("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_FALSE(none.req.expect_100);
}

TEST(DefaultHandler, MethodAnswersWithoutAFile) {
  EXPECT_EQ(default_handler_status(Method::Get), 0);
  EXPECT_EQ(default_handler_status(Method::Head), 0);
  EXPECT_EQ(default_handler_status(Method::Post), 0);
  EXPECT_EQ(default_handler_status(Method::Options), 200);
  EXPECT_EQ(default_handler_status(Method::Other), 501);
  EXPECT_EQ(default_handler_status(Method::Connect), 405);
  EXPECT_EQ(default_handler_status(Method::Delete), 405);
  EXPECT_EQ(default_handler_status(Method::Propfind), 405);
}

} // namespace
} // namespace balancerd::http
