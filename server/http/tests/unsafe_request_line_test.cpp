// HttpProtocolOptions Unsafe as apache2 2.4.71 applies it (compat-tests/http-bad-input
// protocol-options-unsafe): spaces, not tabs, separate the request line's words; a header name may
// hold any byte but whitespace.
#include <gtest/gtest.h>

#include <string>

#include "server/http/request_parser.hpp"

namespace balancerd::http {
namespace {

int status_of(std::string raw, bool strict = false) {
  ProtocolOptions o;
  o.strict = strict;
  RequestParser p(&o);
  Request req;
  const auto r = p.parse(raw.data(), raw.size(), req);
  if (r == RequestParser::Result::Done) return 0;
  return r == RequestParser::Result::Error ? p.error().status : -1;
}

const std::string H = "Host: localhost\r\n";

TEST(UnsafeRequestLine, SpacesSeparateTabsDoNot) {
  EXPECT_EQ(status_of("GET  /a.txt  HTTP/1.1\r\n" + H + "\r\n"), 0);
  EXPECT_EQ(status_of("GET /a.txt HTTP/1.1 \r\n" + H + "\r\n"), 0);
  EXPECT_EQ(status_of("GET\t/a.txt HTTP/1.1\r\n" + H + "\r\n"), 400);
  EXPECT_EQ(status_of("GET /a.txt\tHTTP/1.1\r\n" + H + "\r\n"), 400);
  EXPECT_EQ(status_of("GET \t/a.txt HTTP/1.1\r\n" + H + "\r\n"), 400);
  EXPECT_EQ(status_of("GET /a.txt HTTP/1.1\t\r\n" + H + "\r\n"), 400);
  EXPECT_EQ(status_of("GET /a.txt HTTP/1.1 x\r\n" + H + "\r\n"), 400);
}

TEST(UnsafeHeaderName, ControlsButNotWhitespace) {
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\n" + H + "X\x01N: v\r\n\r\n"), 0);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\n" + H + "X(N)\x7f: v\r\n\r\n"), 0);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\n" + H + "X\vN: v\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\n" + H + "X\fN: v\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\n" + H + "X N: v\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\n" + H + "X-Sp : v\r\n\r\n"), 400);
}

TEST(StrictStillRefuses, TheSameLines) {
  EXPECT_EQ(status_of("GET  /a.txt HTTP/1.1\r\n" + H + "\r\n", true), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\n" + H + "X\x01N: v\r\n\r\n", true), 400);
}

} // namespace
} // namespace balancerd::http

namespace balancerd::http {
namespace {

// apache2 under Unsafe parses Host like an address: text after the last colon that is not a
// number makes the whole value the host (an IPv6-style literal); a number is the port.
TEST(UnsafeHost, PortOnlyWhenNumeric) {
  std::string_view host, port;
  ASSERT_TRUE(split_host("LocalHost:abc", false, host, port));
  EXPECT_EQ(host, "LocalHost:abc");
  EXPECT_EQ(port, "");
  ASSERT_TRUE(split_host("a:1:2", false, host, port));
  EXPECT_EQ(host, "a:1");
  EXPECT_EQ(port, "2");
  EXPECT_FALSE(split_host("localhost:99999", false, host, port));
  EXPECT_FALSE(split_host("localhost:abc", true, host, port)); // Strict: 400
}

} // namespace
} // namespace balancerd::http

namespace balancerd::http {
namespace {

// The name ends at the first colon (checked byte by byte on the way there): later colons belong to
// the value; an empty name or a line without a colon is refused in either mode.
TEST(HeaderName, EndsAtTheFirstColon) {
  for (bool strict : {false, true}) {
    ProtocolOptions o;
    o.strict = strict;
    RequestParser p(&o);
    Request req;
    std::string raw = "GET / HTTP/1.1\r\nHost: localhost\r\nX-Url: http://a:8080/b\r\n\r\n";
    ASSERT_EQ(p.parse(raw.data(), raw.size(), req), RequestParser::Result::Done) << strict;
    ASSERT_EQ(req.headers.size(), 2u);
    EXPECT_EQ(req.headers[1].name, "X-Url");
    EXPECT_EQ(req.headers[1].value, "http://a:8080/b");
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\n" + H + ": v\r\n\r\n", strict), 400) << strict;
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\n" + H + "NoColon\r\n\r\n", strict), 400) << strict;
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\n" + H + "X-A:\r\n\r\n", strict), 0) << strict;
  }
}

} // namespace
} // namespace balancerd::http
