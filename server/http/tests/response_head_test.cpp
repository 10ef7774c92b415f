// The response head as the connection writes it: Apache's field order, framing fields, and the
// writer's sizing (a head appended after earlier output, long values).
#include <gtest/gtest.h>

#include <string>

#include "server/http/response.hpp"

using namespace balancerd::http;

TEST(ResponseHeadSerialize, ApacheOrderAfterEarlierOutput) {
  ResponseHead h;
  h.status = 200;
  h.add("ETag", "\"abc\"");
  h.add("X-Empty", "");
  h.content_length = 1234;
  h.set_content_type("text/html");
  HeadFraming f;
  f.date = "Tue, 24 Nov 2026 21:00:00 GMT";
  f.server = "Apache/2.4.71 (Debian)";
  f.connection = ConnectionToken::KeepAlive;
  f.keep_alive_header = true;
  f.keep_alive_timeout = 5;
  f.keep_alive_max = 99;
  std::string out = "previous body bytes";
  serialize_head(out, h, f);
  EXPECT_EQ(out, "previous body bytes"
                 "HTTP/1.1 200 OK\r\n"
                 "Date: Tue, 24 Nov 2026 21:00:00 GMT\r\n"
                 "Server: Apache/2.4.71 (Debian)\r\n"
                 "ETag: \"abc\"\r\n"
                 "X-Empty: \r\n"
                 "Content-Length: 1234\r\n"
                 "Keep-Alive: timeout=5, max=99\r\n"
                 "Connection: Keep-Alive\r\n"
                 "Content-Type: text/html\r\n"
                 "\r\n");
}

TEST(ResponseHeadSerialize, LargestFramingAndLongValues) {
  ResponseHead h;
  h.status = 599;
  h.reason = "Custom Reason";
  const std::string long_value(5000, 'v');
  h.add("X-Long", long_value);
  h.content_length = UINT64_C(18446744073709551615);
  h.chunked = true;
  h.set_content_type(std::string(300, 't'));
  HeadFraming f;
  f.connection = ConnectionToken::KeepAlive;
  f.keep_alive_header = true;
  f.keep_alive_timeout = 4294967295u;
  f.keep_alive_max = 4294967295u;
  std::string out;
  serialize_head(out, h, f);
  const std::string expect = "HTTP/1.1 599 Custom Reason\r\nX-Long: " + long_value +
                             "\r\nContent-Length: 18446744073709551615\r\n"
                             "Transfer-Encoding: chunked\r\n"
                             "Keep-Alive: timeout=4294967295, max=4294967295\r\n"
                             "Connection: Keep-Alive\r\nContent-Type: " +
                             std::string(300, 't') + "\r\n\r\n";
  EXPECT_EQ(out, expect);
  out.clear();
  ResponseHead bare;
  bare.status = 404;
  f.connection = ConnectionToken::Close;
  serialize_head(out, bare, f);
  EXPECT_EQ(out, "HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
}

TEST(ResponseHeadFieldAppender, AppendsAfterEarlierFieldsAndTrimsTheEstimate) {
  ResponseHead h;
  h.add("X-First", "1");
  {
    FieldAppender out(h, 12); // too small for the second field: it must grow, not overrun
    out.add("ETag", "\"abc\"");
    out.add("X-Long", std::string(300, 'v'));
    out.add("X-Empty", "");
  }
  EXPECT_EQ(h.fields(),
            "X-First: 1\r\nETag: \"abc\"\r\nX-Long: " + std::string(300, 'v') + "\r\nX-Empty: \r\n");
  {
    FieldAppender out(h, 1000); // room left over is given back
  }
  EXPECT_EQ(h.fields().size(),
            std::string_view("X-First: 1\r\nETag: \"abc\"\r\nX-Long: \r\nX-Empty: \r\n").size() + 300);
  EXPECT_TRUE(h.remove("etag"));
  EXPECT_EQ(h.fields(), "X-First: 1\r\nX-Long: " + std::string(300, 'v') + "\r\nX-Empty: \r\n");
}
