// The backend response head parser, with the cases checked against Apache 2.4.71 (its answers noted
// beside each case).
#include "server/backend/response_parser.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace balancerd::backend;
using balancerd::directives::ProxyBadHeader;
using R = ResponseParser::Result;

namespace {

struct Parsed {
  R result;
  std::size_t consumed;
};

Parsed parse_all(ResponseParser& p, std::string_view in, ParserOptions opt = {}) {
  p.reset(opt);
  std::size_t consumed = 0;
  R r = p.parse(std::span<const char>(in.data(), in.size()), consumed);
  return {r, consumed};
}

// Feeds one byte at a time; returns the result and the total consumed.
Parsed parse_bytewise(ResponseParser& p, std::string_view in, ParserOptions opt = {}) {
  p.reset(opt);
  std::size_t total = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    std::size_t c = 0;
    R r = p.parse(std::span<const char>(in.data() + i, 1), c);
    total += c;
    if (r != R::NeedMore) return {r, total};
  }
  return {R::NeedMore, total};
}

std::string field(const ResponseParser& p, std::string_view name) {
  auto* f = p.head().find(name);
  return f ? std::string(f->value) : "<none>";
}

} // namespace

TEST(ResponseParser, SimpleResponseWholeAndBytewise) {
  const std::string in = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
  for (int mode = 0; mode < 2; ++mode) {
    ResponseParser p;
    auto r = mode == 0 ? parse_all(p, in) : parse_bytewise(p, in);
    ASSERT_EQ(r.result, R::Final);
    EXPECT_EQ(r.consumed, in.size() - 5);
    EXPECT_EQ(p.head().status, 200);
    EXPECT_EQ(p.head().minor, 1);
    EXPECT_EQ(p.head().status_line, "200 OK");
    EXPECT_EQ(p.head().reason, "OK");
    ASSERT_EQ(p.head().fields.size(), 2u);
    EXPECT_EQ(p.head().fields[0].name, "Content-Type");
    EXPECT_EQ(p.head().fields[0].value, "text/plain");
    EXPECT_EQ(p.framing(), BodyFraming::Length);
    EXPECT_EQ(p.content_length(), 5u);
    EXPECT_TRUE(p.keep_alive());
  }
}

TEST(ResponseParser, ReasonPhraseKeptVerbatim) {
  ResponseParser p;
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 Fine Thanks\r\nContent-Length: 0\r\n\r\n").result, R::Final);
  EXPECT_EQ(p.head().status_line, "200 Fine Thanks");
  EXPECT_EQ(p.head().reason, "Fine Thanks");
  // No reason: Apache sends "HTTP/1.1 200 " (the space kept, the phrase empty).
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200\r\n\r\n").result, R::Final);
  EXPECT_EQ(p.head().status_line, "200 ");
  EXPECT_EQ(p.head().reason, "");
  EXPECT_TRUE(p.head().reason_valid);
}

TEST(ResponseParser, FourDigitStatusTakesThreeAndDropsReason) {
  // apache2: "HTTP/1.1 2000 OK" -> "HTTP/1.1 200 OK" (its own phrase).
  ResponseParser p;
  ASSERT_EQ(parse_all(p, "HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nhi").result, R::Final);
  EXPECT_EQ(p.head().status, 200);
  EXPECT_FALSE(p.head().reason_valid);
}

TEST(ResponseParser, Http2StatusLineIsCorrupt) {
  ResponseParser p;
  ASSERT_EQ(parse_all(p, "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nhi").result, R::Error);
  EXPECT_EQ(p.error(), ResponseError::CorruptStatusLine);
  EXPECT_EQ(p.error_reason(), "Corrupt status line returned by remote server: HTTP/2.0 200 OK");
}

TEST(ResponseParser, StatusLineLengthLimit) {
  // apache2 with 8192: a status line of 8190 bytes passes, 8191 is corrupt (reason holds 8191 bytes).
  ParserOptions opt;
  opt.field_size = 64;
  ResponseParser p;
  std::string ok = "HTTP/1.1 200 " + std::string(62 - 13, 'b');
  ASSERT_EQ(ok.size(), 62u);
  EXPECT_EQ(parse_all(p, ok + "\r\n\r\n", opt).result, R::Final);
  std::string bad = ok + "b";
  EXPECT_EQ(parse_all(p, bad + "\r\n\r\n", opt).result, R::Error);
  EXPECT_EQ(p.error(), ResponseError::CorruptStatusLine);
  EXPECT_EQ(p.error_reason(), "Corrupt status line returned by remote server: " + bad);
  // Longer still and arriving in pieces: cut at field_size - 1 bytes.
  std::string longer = ok + std::string(100, 'b');
  EXPECT_EQ(parse_bytewise(p, longer + "\r\n\r\n", opt).result, R::Error);
  EXPECT_EQ(p.error_reason(), "Corrupt status line returned by remote server: " + longer.substr(0, 63));
}

TEST(ResponseParser, FieldLineLengthLimit) {
  // apache2 with 8192: a field line of 8191 bytes passes, 8192 gives a plain 502.
  ParserOptions opt;
  opt.field_size = 64;
  ResponseParser p;
  std::string ok = "X-L: " + std::string(63 - 5, 'a');
  // a head that arrives whole is viewed in place: its input outlives the field lookups
  const std::string whole = "HTTP/1.1 200 OK\r\n" + ok + "\r\n\r\n";
  EXPECT_EQ(parse_all(p, whole, opt).result, R::Final);
  EXPECT_EQ(field(p, "X-L").size(), 58u);
  EXPECT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\n" + ok + "a\r\n\r\n", opt).result, R::Error);
  EXPECT_EQ(p.error(), ResponseError::HeaderTooLong);
  EXPECT_EQ(p.error_reason(), "");
  EXPECT_EQ(parse_bytewise(p, "HTTP/1.1 200 OK\r\n" + ok + std::string(200, 'a'), opt).result, R::Error);
  EXPECT_EQ(p.error(), ResponseError::HeaderTooLong);
}

TEST(ResponseParser, NonHttpFirstLineIsHttp09) {
  // apache2: 200 OK, body "garbage line here" + "more body\r\n" (the first line loses its CRLF).
  ResponseParser p;
  const std::string in = "garbage line here\r\nmore body\r\n";
  auto r = parse_all(p, in);
  ASSERT_EQ(r.result, R::Final);
  EXPECT_TRUE(p.head().http09);
  EXPECT_EQ(p.head().status, 200);
  EXPECT_TRUE(p.head().fields.empty());
  EXPECT_EQ(std::string(p.body_prefix().data(), p.body_prefix().size()), "garbage line here");
  EXPECT_EQ(in.substr(r.consumed), "more body\r\n");
  EXPECT_EQ(p.framing(), BodyFraming::UntilClose);
  EXPECT_FALSE(p.keep_alive());
  // A status code with a letter fails Apache's mask too.
  ASSERT_EQ(parse_bytewise(p, "HTTP/1.1 20a OK\r\nContent-Length: 2\r\n\r\nhi").result, R::Final);
  EXPECT_TRUE(p.head().http09);
  EXPECT_EQ(std::string(p.body_prefix().data(), p.body_prefix().size()), "HTTP/1.1 20a OK");
}

TEST(ResponseParser, StrayEmptyLines) {
  ResponseParser p;
  ASSERT_EQ(parse_all(p, "\r\nHTTP/1.1 201 OK\r\nContent-Length: 2\r\n\r\nhi").result, R::Final);
  EXPECT_EQ(p.head().status, 201);
  // apache2: two empty lines -> 502 "Error reading from remote server".
  ASSERT_EQ(parse_all(p, "\r\n\r\nHTTP/1.1 201 OK\r\n\r\n").result, R::Error);
  EXPECT_EQ(p.error(), ResponseError::NoResponse);
  EXPECT_EQ(p.error_reason(), "Error reading from remote server");
}

TEST(ResponseParser, ClosedBeforeHead) {
  ResponseParser p;
  p.reset({});
  EXPECT_EQ(p.finish(), R::Error);
  EXPECT_EQ(p.error(), ResponseError::NoResponse);
  // apache2: "HELLO" then close (no line end) -> 502 "Error reading from remote server".
  EXPECT_EQ(parse_all(p, "HELLO").result, R::NeedMore);
  EXPECT_EQ(p.finish(), R::Error);
  EXPECT_EQ(p.error(), ResponseError::NoResponse);
  EXPECT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nX-A: 1\r\n").result, R::NeedMore);
  EXPECT_EQ(p.finish(), R::Error);
  EXPECT_EQ(p.error(), ResponseError::Truncated);
  EXPECT_EQ(p.error_reason(), ""); // apache2: plain "502 Bad Gateway"
}

TEST(ResponseParser, FoldedLinesJoinAsSent) {
  // apache2: "X-A: one\r\n  two\r\n\tthree" -> "X-A: one  two\tthree".
  ResponseParser p;
  const std::string in = "HTTP/1.1 200 OK\r\nX-A: one\r\n  two\r\n\tthree\r\nContent-Length: 2\r\n\r\nhi";
  ASSERT_EQ(parse_bytewise(p, in).result, R::Final);
  EXPECT_EQ(field(p, "x-a"), "one  two\tthree");
  EXPECT_EQ(field(p, "Content-Length"), "2");
}

TEST(ResponseParser, BadHeaderIsError) {
  // apache2 default: plain "502 Bad Gateway".
  ResponseParser p;
  EXPECT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nX-A: one\r\nbadline\r\nX-B: two\r\n\r\n").result, R::Error);
  EXPECT_EQ(p.error(), ResponseError::BadHeader);
  // A continuation with nothing to continue is a bad line too.
  EXPECT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\n  lead\r\nX-A: 1\r\n\r\n").result, R::Error);
  EXPECT_EQ(p.error(), ResponseError::BadHeader);
}

TEST(ResponseParser, BadHeaderIgnore) {
  ParserOptions opt;
  opt.bad_header = ProxyBadHeader::Ignore;
  ResponseParser p;
  ASSERT_EQ(
      parse_all(p, "HTTP/1.1 200 OK\r\nX-A: one\r\nbadline\r\nX-B: two\r\nContent-Length: 2\r\n\r\nhi", opt)
          .result,
      R::Final);
  ASSERT_EQ(p.head().fields.size(), 3u);
  EXPECT_EQ(field(p, "X-A"), "one");
  EXPECT_EQ(field(p, "X-B"), "two");
  EXPECT_EQ(p.framing(), BodyFraming::Length);
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\n  lead\r\nX-A: 1\r\n\r\n", opt).result, R::Final);
  EXPECT_EQ(p.head().fields.size(), 1u);
}

TEST(ResponseParser, BadHeaderStartBody) {
  // apache2: the bad line is dropped and every byte after it is body (X-A kept when it came first).
  ParserOptions opt;
  opt.bad_header = ProxyBadHeader::StartBody;
  ResponseParser p;
  const std::string in = "HTTP/1.1 200 OK\r\nX-A: one\r\nbadline\r\nX-B: two\r\nContent-Length: 2\r\n\r\nhi";
  auto r = parse_all(p, in, opt);
  ASSERT_EQ(r.result, R::Final);
  ASSERT_EQ(p.head().fields.size(), 1u);
  EXPECT_EQ(field(p, "X-A"), "one");
  EXPECT_EQ(in.substr(r.consumed), "X-B: two\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(p.framing(), BodyFraming::UntilClose);
  EXPECT_FALSE(p.keep_alive());
  r = parse_all(p, "HTTP/1.1 200 OK\r\nbadline\r\nrest", opt);
  ASSERT_EQ(r.result, R::Final);
  EXPECT_TRUE(p.head().fields.empty());
  EXPECT_EQ(r.consumed, std::string_view("HTTP/1.1 200 OK\r\nbadline\r\n").size());
}

TEST(ResponseParser, InterimResponsesComeFirst) {
  ResponseParser p;
  const std::string in = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                         "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
  p.reset({});
  std::span<const char> rest(in.data(), in.size());
  std::size_t c = 0;
  ASSERT_EQ(p.parse(rest, c), R::Interim);
  EXPECT_EQ(p.head().status, 100);
  EXPECT_EQ(p.framing(), BodyFraming::None);
  rest = rest.subspan(c);
  ASSERT_EQ(p.parse(rest, c), R::Interim);
  EXPECT_EQ(p.head().status, 103);
  EXPECT_EQ(field(p, "Link"), "</s.css>");
  rest = rest.subspan(c);
  ASSERT_EQ(p.parse(rest, c), R::Final);
  EXPECT_EQ(p.head().status, 200);
  EXPECT_EQ(p.head().fields.size(), 1u);
  EXPECT_EQ(std::string(rest.subspan(c).data(), rest.size() - c), "hi");
}

TEST(ResponseParser, SwitchingProtocolsIsFinalWithoutBody) {
  ResponseParser p;
  ASSERT_EQ(
      parse_all(p, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
          .result,
      R::Final);
  EXPECT_EQ(p.framing(), BodyFraming::None);
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParser, NoBodyForHeadAnd204And304) {
  ResponseParser p;
  ParserOptions head;
  head.head_request = true;
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", head).result, R::Final);
  EXPECT_EQ(p.framing(), BodyFraming::None);
  EXPECT_TRUE(p.keep_alive());
  ASSERT_EQ(parse_all(p, "HTTP/1.1 204 No Content\r\n\r\n").result, R::Final);
  EXPECT_EQ(p.framing(), BodyFraming::None);
  EXPECT_TRUE(p.keep_alive());
  ASSERT_EQ(parse_all(p, "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n").result, R::Final);
  EXPECT_EQ(p.framing(), BodyFraming::None);
}

TEST(ResponseParser, TransferEncodings) {
  ResponseParser p;
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n").result, R::Final);
  EXPECT_EQ(p.framing(), BodyFraming::Chunked);
  EXPECT_TRUE(p.keep_alive());
  // apache2: TE gzip alone -> body read until close, passed as is.
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n").result, R::Final);
  EXPECT_EQ(p.framing(), BodyFraming::UntilClose);
  EXPECT_FALSE(p.keep_alive());
  // apache2: TE + CL -> chunked decoded, CL dropped, connection not reused.
  ASSERT_EQ(
      parse_all(p, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n").result,
      R::Final);
  EXPECT_EQ(p.framing(), BodyFraming::Chunked);
  EXPECT_TRUE(p.te_and_cl());
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParser, BadContentLength) {
  // apache2: "Content-Length: abc" -> 502 Bad Gateway.
  ResponseParser p;
  EXPECT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n").result, R::Error);
  EXPECT_EQ(p.error(), ResponseError::BadContentLength);
  EXPECT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").result, R::Error);
  EXPECT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n").result,
            R::Final);
  EXPECT_TRUE(p.keep_alive());
}

TEST(ResponseParser, SeveralContentLengthsTakeTheFirst) {
  // apache2 (compat proxy resp-conflicting-length): "Content-Length: 5" then "Content-Length: 6"
  // relays 5 bytes; the connection is not reused.
  ResponseParser p;
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n").result,
            R::Final);
  EXPECT_EQ(p.framing(), BodyFraming::Length);
  EXPECT_EQ(p.content_length(), 5u);
  EXPECT_FALSE(p.keep_alive());
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: x\r\n\r\n").result,
            R::Final);
  EXPECT_EQ(p.content_length(), 2u);
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParser, KeepAliveRules) {
  ResponseParser p;
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nConnection: X-Foo, close\r\nContent-Length: 0\r\n\r\n").result,
            R::Final);
  EXPECT_FALSE(p.keep_alive());
  ASSERT_EQ(p.connection_tokens().size(), 2u);
  EXPECT_EQ(p.connection_tokens()[0], "X-Foo");
  EXPECT_EQ(p.connection_tokens()[1], "close");
  ASSERT_EQ(parse_all(p, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").result, R::Final);
  EXPECT_EQ(p.head().minor, 0);
  EXPECT_FALSE(p.keep_alive());
  ASSERT_EQ(parse_all(p, "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").result,
            R::Final);
  EXPECT_TRUE(p.keep_alive());
  // apache2: HTTP/1.0 without length -> body until close.
  ASSERT_EQ(parse_all(p, "HTTP/1.0 200 OK\r\n\r\nbody-until-close").result, R::Final);
  EXPECT_EQ(p.framing(), BodyFraming::UntilClose);
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParser, BareLineFeedsAndNamesAsSent) {
  ResponseParser p;
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 2\n\nhi").result, R::Final);
  EXPECT_EQ(field(p, "X-A"), "1");
  // apache2 keeps the name "X-S " (and its client side then answers 500): not trimmed here.
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nX-S : v \r\n\r\n").result, R::Final);
  ASSERT_EQ(p.head().fields.size(), 1u);
  EXPECT_EQ(p.head().fields[0].name, "X-S ");
  EXPECT_EQ(p.head().fields[0].value, "v");
}

TEST(ResponseParser, ParsedHeadIndependentOfSplitPoints) {
  const std::string in =
      "HTTP/1.1 404 Not Here\r\nA: 1\r\nB:  two words  \r\n  folded\r\nContent-Length: 3\r\n\r\nabc";
  ResponseParser whole;
  auto w = parse_all(whole, in);
  ASSERT_EQ(w.result, R::Final);
  for (std::size_t split = 1; split < in.size(); ++split) {
    ResponseParser p;
    p.reset({});
    std::size_t c1 = 0, c2 = 0;
    R r = p.parse(std::span<const char>(in.data(), split), c1);
    if (r == R::NeedMore) r = p.parse(std::span<const char>(in.data() + split, in.size() - split), c2);
    ASSERT_EQ(r, R::Final) << split;
    EXPECT_EQ(c1 + c2, w.consumed) << split;
    EXPECT_EQ(field(p, "B"), "two words    folded") << split;
    EXPECT_EQ(p.head().status_line, "404 Not Here");
  }
}

TEST(ResponseParser, NulInFirstLineIsAReadError) {
  // apache2 (measured): a first line holding a NUL is "Error reading from remote server"; other
  // control bytes make an HTTP/0.9 answer.
  ResponseParser p;
  using namespace std::string_view_literals;
  EXPECT_EQ(parse_all(p, "ju\0nk\r\n\r\n"sv).result, R::Error);
  EXPECT_EQ(p.error(), ResponseError::NoResponse);
  EXPECT_EQ(p.error_reason(), "Error reading from remote server");
  EXPECT_EQ(parse_all(p, "\x01junk\r\n\r\n"sv).result, R::Final);
  EXPECT_TRUE(p.head().http09);
}

TEST(ResponseParser, IgnoredLineEndsFolding) {
  // A blank-led line after a dropped one continues nothing: it is a field of its own (name as sent).
  ParserOptions opt;
  opt.bad_header = ProxyBadHeader::Ignore;
  ResponseParser p;
  const std::string in =
      "HTTP/1.1 200 OK\r\nX-A: one\r\nbadline\r\n  X-B: two\r\n\tmore\r\nContent-Length: 0\r\n\r\n";
  for (int mode = 0; mode < 2; ++mode) {
    ASSERT_EQ((mode == 0 ? parse_all(p, in, opt) : parse_bytewise(p, in, opt)).result, R::Final);
    ASSERT_EQ(p.head().fields.size(), 3u);
    EXPECT_EQ(p.head().fields[0].value, "one");
    EXPECT_EQ(p.head().fields[1].name, "  X-B");
    EXPECT_EQ(p.head().fields[1].value, "two\tmore");
  }
}

TEST(ResponseParser, SeveralFoldedFieldsKeepTheirOwnParts) {
  // The joined values live in one buffer: each must keep its own continuation lines, and an empty
  // first part loses the continuation's leading blanks to the trim.
  ResponseParser p;
  const std::string in = "HTTP/1.1 200 OK\r\nA: 1\r\n 2\r\nB: x\r\nC:\r\n   3 \r\n\t4\r\nD: y\r\n\r\n";
  for (int mode = 0; mode < 2; ++mode) {
    ASSERT_EQ((mode == 0 ? parse_all(p, in) : parse_bytewise(p, in)).result, R::Final);
    ASSERT_EQ(p.head().fields.size(), 4u);
    EXPECT_EQ(p.head().fields[0].value, "1 2");
    EXPECT_EQ(p.head().fields[1].value, "x");
    EXPECT_EQ(p.head().fields[2].value, "3 \t4");
    EXPECT_EQ(p.head().fields[3].value, "y");
  }
}

TEST(ResponseParser, FoldedLineCountsTowardsTheFieldLimit) {
  ParserOptions opt;
  opt.field_size = 32;
  ResponseParser p;
  // "X: aaaaaaaaaa" (13) + " bbbbbbbbbbbbbbbbbb" (19) = 32: one too many.
  EXPECT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nX: aaaaaaaaaa\r\n bbbbbbbbbbbbbbbbbb\r\n\r\n", opt).result,
            R::Error);
  EXPECT_EQ(p.error(), ResponseError::HeaderTooLong);
  EXPECT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nX: aaaaaaaaaa\r\n bbbbbbbbbbbbbbbbb\r\n\r\n", opt).result,
            R::Final);
  EXPECT_EQ(field(p, "X"), "aaaaaaaaaa bbbbbbbbbbbbbbbbb");
}

TEST(ResponseParser, ContentTypedAndFramingNamesInAnyCase) {
  ResponseParser p;
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\ncontent-TYPE: a/b\r\ncontent-length: 3\r\n\r\nabc").result,
            R::Final);
  EXPECT_TRUE(p.content_typed());
  EXPECT_EQ(p.framing(), BodyFraming::Length);
  EXPECT_EQ(p.content_length(), 3u);
  ASSERT_EQ(parse_all(p, "HTTP/1.1 200 OK\r\nContent-Typ: a/b\r\nContent\rLength: 3\r\n\r\nabc").result,
            R::Final);
  EXPECT_FALSE(p.content_typed());
  EXPECT_EQ(p.framing(), BodyFraming::UntilClose);
}

TEST(ResponseParser, WholeHeadViewsPointIntoTheInput) {
  // No copy of a head that arrived whole: the views are the caller's bytes, folded values aside.
  ResponseParser p;
  const std::string in = "HTTP/1.1 200 OK\r\nX-A: one\r\nX-F: a\r\n b\r\n\r\nbody";
  ASSERT_EQ(parse_all(p, in).result, R::Final);
  const auto inside = [&](std::string_view v) {
    return v.data() >= in.data() && v.data() < in.data() + in.size();
  };
  EXPECT_TRUE(inside(p.head().status_line));
  EXPECT_TRUE(inside(p.head().fields[0].name));
  EXPECT_TRUE(inside(p.head().fields[0].value));
  EXPECT_EQ(p.head().fields[1].value, "a b");
  EXPECT_FALSE(inside(p.head().fields[1].value));
}

TEST(ResponseParser, HeadViewsSurviveTheInputBuffer) {
  // A head in pieces: the views point into the parser's own copy, the caller's read buffer may be
  // reused at once.
  ResponseParser p;
  p.reset({});
  std::string in = "HTTP/1.1 203 Yes\r\nX-A: one\r\nX-B: two\r\n\r\n";
  std::size_t c = 0;
  ASSERT_EQ(p.parse(std::span<const char>(in.data(), 20), c), R::NeedMore);
  ASSERT_EQ(p.parse(std::span<const char>(in.data() + 20, in.size() - 20), c), R::Final);
  std::fill(in.begin(), in.end(), '#');
  EXPECT_EQ(p.head().status_line, "203 Yes");
  EXPECT_EQ(field(p, "X-A"), "one");
  EXPECT_EQ(field(p, "X-B"), "two");
}

// A head scanned in one call keeps its field positions in a per-thread scratch list; one that spans
// calls moves them into its parser first. Parsers interleaved on one thread (many backend connections
// on one io thread) must each keep their own fields: a head in pieces, other heads parsed whole
// (and in pieces, with folded lines) in between, then the rest of the first.
TEST(ResponseParser, InterleavedParsersKeepTheirOwnFields) {
  const std::string a1 = "HTTP/1.1 200 OK\r\nX-A: one\r\nX-B: two\r\n";
  const std::string a2 = "X-C: three\r\n folded\r\nContent-Length: 5\r\n\r\nhello";
  const std::string b = "HTTP/1.1 404 Not Found\r\nY-1: b1\r\nY-2: b2\r\nY-3: b3\r\nY-4: b4\r\nY-5: b5\r\n"
                        "Content-Length: 0\r\n\r\n";
  ResponseParser pa, pb, pc;
  pa.reset({});
  std::size_t consumed = 0;
  ASSERT_EQ(pa.parse(std::span<const char>(a1.data(), a1.size()), consumed), R::NeedMore);
  EXPECT_EQ(consumed, a1.size());
  ASSERT_EQ(parse_all(pb, b).result, R::Final); // whole, in the scratch list
  EXPECT_EQ(pb.head().fields.size(), 6u);
  EXPECT_EQ(field(pb, "Y-5"), "b5");
  ASSERT_EQ(parse_bytewise(pc, b).result, R::Final); // in pieces too
  EXPECT_EQ(pc.head().fields.size(), 6u);
  EXPECT_EQ(field(pc, "Y-1"), "b1");
  ASSERT_EQ(pa.parse(std::span<const char>(a2.data(), a2.size()), consumed), R::Final);
  EXPECT_EQ(consumed, a2.size() - 5);
  ASSERT_EQ(pa.head().fields.size(), 4u);
  EXPECT_EQ(pa.head().status, 200);
  EXPECT_EQ(field(pa, "X-A"), "one");
  EXPECT_EQ(field(pa, "X-B"), "two");
  EXPECT_EQ(field(pa, "X-C"), "three folded");
  EXPECT_EQ(pa.content_length(), 5u);
  EXPECT_EQ(field(pb, "Y-5"), "b5"); // pb's head is intact after the others parsed
  EXPECT_EQ(pb.head().status, 404);
}

// The members only a few responses use (folds, an HTTP/0.9 line, an error's reason) are cleared only
// when a response used them: a parser reused after each of those cases starts clean.
TEST(ResponseParser, ReusedAfterRareCasesStartsClean) {
  ResponseParser p;
  const std::string folded = "HTTP/1.1 200 OK\r\nX-F: a\r\n b\r\nContent-Length: 0\r\n\r\n";
  ASSERT_EQ(parse_all(p, folded).result, R::Final);
  EXPECT_EQ(field(p, "X-F"), "a b");
  ASSERT_EQ(parse_all(p, "HTTP/2.0 200 OK\r\n\r\n").result, R::Error);
  EXPECT_EQ(p.error_reason(), "Corrupt status line returned by remote server: HTTP/2.0 200 OK");
  ASSERT_EQ(parse_all(p, "hello\r\nworld").result, R::Final);
  EXPECT_TRUE(p.head().http09);
  EXPECT_EQ(std::string(p.body_prefix().data(), p.body_prefix().size()), "hello");
  const std::string plain = "HTTP/1.1 200 OK\r\nX-F: c\r\nContent-Length: 3\r\n\r\n";
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(parse_all(p, plain).result, R::Final) << i;
    EXPECT_FALSE(p.head().http09);
    EXPECT_TRUE(p.body_prefix().empty());
    EXPECT_TRUE(p.error_reason().empty());
    EXPECT_EQ(p.error(), ResponseError::None);
    ASSERT_EQ(p.head().fields.size(), 2u);
    EXPECT_EQ(field(p, "X-F"), "c");
    EXPECT_EQ(p.content_length(), 3u);
  }
  ASSERT_EQ(parse_bytewise(p, folded).result, R::Final); // folds again, after the clean start
  EXPECT_EQ(field(p, "X-F"), "a b");
}
