#include "server/hcheck/hc_response.hpp"

#include <gtest/gtest.h>

using balancerd::hcheck::HcResponseParser;

TEST(HcResponse, StatusLine) {
  EXPECT_EQ(HcResponseParser::parse_status_line("HTTP/1.1 200 OK"), 200);
  EXPECT_EQ(HcResponseParser::parse_status_line("HTTP/1.0 503"), 503);
  EXPECT_EQ(HcResponseParser::parse_status_line("HTTP/1.1 20 OK"), 0);
  EXPECT_EQ(HcResponseParser::parse_status_line("garbage"), 0);
  EXPECT_EQ(HcResponseParser::parse_status_line("HTTP/1.1 2000"), 0);
  EXPECT_EQ(HcResponseParser::parse_status_line("ICY 200 OK"), 0);
}

TEST(HcResponse, HeadOnlyForHead) {
  HcResponseParser p(false);
  EXPECT_FALSE(p.feed("HTTP/1.1 204 No\r\nX-A: 1\r"));
  EXPECT_TRUE(p.feed("\n\r\n"));
  EXPECT_TRUE(p.head_complete());
  EXPECT_EQ(p.status(), 204);
  EXPECT_EQ(p.status_line(), "HTTP/1.1 204 No");
  ASSERT_EQ(p.headers().size(), 1u);
  EXPECT_EQ(p.headers()[0].first, "X-A");
  EXPECT_EQ(p.body(), "");
}

TEST(HcResponse, ContentLengthBodyAcrossReads) {
  HcResponseParser p(true);
  EXPECT_FALSE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello"));
  EXPECT_TRUE(p.feed(" world-extra"));
  EXPECT_EQ(p.body(), "hello world");
}

TEST(HcResponse, ChunkedBodyIsDecoded) {
  HcResponseParser p(true);
  const std::string wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nUnder\r\n"
                           "c\r\n maintenance\r\n0\r\nTrailer: t\r\n\r\n";
  // One byte at a time: framing split anywhere.
  bool done = false;
  for (char c : wire) done = p.feed(std::string_view(&c, 1));
  EXPECT_TRUE(done);
  EXPECT_EQ(p.body(), "Under maintenance");
}

TEST(HcResponse, BodyUntilClose) {
  HcResponseParser p(true);
  EXPECT_FALSE(p.feed("HTTP/1.0 200 OK\n\nabc"));
  EXPECT_FALSE(p.feed("def"));
  p.finish();
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.body(), "abcdef");
}

TEST(HcResponse, GarbageHeadParsesWithoutStatus) {
  HcResponseParser p(true);
  EXPECT_TRUE(p.feed("garbage\r\n\r\n"));
  EXPECT_TRUE(p.head_complete());
  EXPECT_EQ(p.status(), 0);
  EXPECT_EQ(p.status_line(), "garbage");
}

TEST(HcResponse, BodyIsCapped) {
  HcResponseParser p(true);
  p.feed("HTTP/1.1 200 OK\r\n\r\n");
  const std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 20; ++i) p.feed(chunk);
  EXPECT_EQ(p.body().size(), HcResponseParser::kMaxBody);
}
