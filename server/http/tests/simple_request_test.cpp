// HTTP/0.9 simple requests ("GET /path", no protocol) are told from full request lines as soon as
// the request line is in: a simple one is answered without waiting for a header section.
#include <gtest/gtest.h>

#include <string>

#include "server/http/request_parser.hpp"

namespace balancerd::http {
namespace {

// 0: a whole request; -1: waits for more (a full request line wants its header section); else the
// error status.
int outcome(std::string raw, bool strict, bool http09 = true) {
  ProtocolOptions o;
  o.strict = strict;
  o.allow_http09 = http09;
  RequestParser p(&o);
  Request req;
  const auto r = p.parse(raw.data(), raw.size(), req);
  if (r == RequestParser::Result::Done) return req.http09() ? 9 : 0;
  return r == RequestParser::Result::Error ? p.error().status : -1;
}

TEST(SimpleRequest, StrictTwoWordsAreOneSpace) {
  EXPECT_EQ(outcome("GET /x\r\n", true), 9);
  EXPECT_EQ(outcome("GET /x\r\n", true, false), 400);
  EXPECT_EQ(outcome("GET /x HTTP/1.1\r\n", true), -1);
  EXPECT_EQ(outcome("GET /a b\r\n", true), -1); // three words: waits, refused once complete
  EXPECT_EQ(outcome("GET\r\n", true), -1);
  EXPECT_EQ(outcome("GET /x \r\n", true), -1); // a trailing space is a second separator
  EXPECT_EQ(outcome("GET  /x\r\n", true), -1); // two spaces: an empty middle word
}

TEST(SimpleRequest, UnsafeRunsOfBlanks) {
  EXPECT_EQ(outcome("GET /x\r\n", false), 9);
  EXPECT_EQ(outcome("GET  /x  \r\n", false), 400); // simple, but blanks after the target
  EXPECT_EQ(outcome("GET\t/x\r\n", false), 400);   // a tab makes it simple, then the line is refused
  EXPECT_EQ(outcome("GET /x HTTP/1.1\r\n", false), -1);
}

} // namespace
} // namespace balancerd::http
