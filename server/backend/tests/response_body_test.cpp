#include "server/backend/response_body.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace balancerd::backend;
using S = ResponseBody::Status;

namespace {

// Decodes in pieces of `step` bytes; returns the body, the final status and the unconsumed rest.
struct Decoded {
  std::string body;
  S status;
  std::string rest;
};

Decoded decode(ResponseBody& b, std::string_view in, std::size_t step) {
  Decoded d{{}, S::NeedMore, {}};
  std::size_t pos = 0;
  std::string carry;
  while (pos < in.size() || !carry.empty()) {
    std::size_t n = std::min(step, in.size() - pos);
    carry.append(in.substr(pos, n));
    pos += n;
    std::span<const char> cur(carry.data(), carry.size());
    for (;;) {
      auto s = b.step(cur);
      cur = cur.subspan(s.consumed);
      if (s.status == S::Data) {
        d.body.append(s.data.data(), s.data.size());
        continue;
      }
      d.status = s.status;
      break;
    }
    carry.assign(cur.data(), cur.size());
    if (d.status == S::Done || d.status == S::Error) {
      d.rest = carry + std::string(in.substr(pos));
      return d;
    }
    if (n == 0) break;
  }
  if (b.done()) d.status = S::Done;
  return d;
}

} // namespace

TEST(ResponseBody, ContentLengthLeavesExtraBytes) {
  for (std::size_t step : {1u, 3u, 100u}) {
    ResponseBody b;
    b.reset(BodyFraming::Length, 5);
    auto d = decode(b, "helloEXTRA", step);
    EXPECT_EQ(d.body, "hello") << step;
    EXPECT_TRUE(b.done());
    EXPECT_EQ(d.rest.substr(d.rest.size() - 5), "EXTRA");
    EXPECT_EQ(b.delivered(), 5u);
  }
}

TEST(ResponseBody, ChunkedWithExtensionsAndTrailers) {
  const std::string in = "5;name=val\r\nhello\r\n6 ; x\r\n world\r\n0\r\nX-Trailer: yes\r\nY: z\r\n\r\nNEXT";
  for (std::size_t step : {1u, 2u, 7u, 1000u}) {
    ResponseBody b;
    b.reset(BodyFraming::Chunked, 0);
    auto d = decode(b, in, step);
    EXPECT_EQ(d.status, S::Done) << step;
    EXPECT_EQ(d.body, "hello world") << step;
    EXPECT_EQ(d.rest, "NEXT") << step;
  }
}

TEST(ResponseBody, BadChunkSizeIsError) {
  ResponseBody b;
  b.reset(BodyFraming::Chunked, 0);
  auto d = decode(b, "zz\r\nhello\r\n", 100);
  EXPECT_EQ(d.status, S::Error);
  b.reset(BodyFraming::Chunked, 0);
  d = decode(b, "5\r\nhelloX\r\n", 100); // no CRLF after the data
  EXPECT_EQ(d.status, S::Error);
  EXPECT_EQ(d.body, "hello");
}

TEST(ResponseBody, UntilCloseEndsAtEof) {
  ResponseBody b;
  b.reset(BodyFraming::UntilClose, 0);
  auto d = decode(b, "anything at all", 4);
  EXPECT_EQ(d.body, "anything at all");
  EXPECT_FALSE(b.done());
  EXPECT_EQ(b.finish(), S::Done);
}

TEST(ResponseBody, EofBeforeLengthOrLastChunkIsError) {
  ResponseBody b;
  b.reset(BodyFraming::Length, 10);
  decode(b, "short", 100);
  EXPECT_EQ(b.finish(), S::Error);
  b.reset(BodyFraming::Chunked, 0);
  decode(b, "5\r\nhello\r\n", 100);
  EXPECT_EQ(b.finish(), S::Error);
}

TEST(ResponseBody, NoBodyIsDoneAtOnce) {
  ResponseBody b;
  b.reset(BodyFraming::None, 0);
  EXPECT_TRUE(b.done());
  EXPECT_EQ(b.step(std::span<const char>()).status, S::Done);
  b.reset(BodyFraming::Length, 0);
  EXPECT_TRUE(b.done());
  EXPECT_EQ(b.finish(), S::Done);
}
