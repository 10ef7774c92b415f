// The request parser against Apache 2.4.71's measured answers. Each row: the raw request, the status
// our parser (or chunked decoder, for body framing) must produce (0 = accepted and handed on), and
// what the real Apache answered on loopback (Debian apache2, event MPM, default HttpProtocolOptions
// unless the row says otherwise). An "accepted" row is one where Apache processed the request normally
// (its answer then came from the handler: 404 for a missing file, 200, 501 for an unknown method...).
#include <gtest/gtest.h>

#include <string>

#include "server/http/chunked_decoder.hpp"
#include "server/http/request_parser.hpp"

namespace balancerd::http {
namespace {

enum Mode { Strict, Unsafe, Registered }; // Registered: "HttpProtocolOptions RegisteredMethods Require1.0"

struct Case {
  const char* name;
  std::string raw;
  int expect;         // 0 = accepted; otherwise the status the parser/decoder must give
  const char* apache; // what Apache answered
  Mode mode = Strict;
  bool closes = false; // the answer also closes the connection (checked on accepted rows via must_close)
};

const std::string H = "Host: localhost\r\n";

std::string many_headers(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "X-" + std::to_string(i) + ": 1\r\n";
  return s;
}

std::string post(const std::string& headers, const std::string& body) {
  return "POST /reflect HTTP/1.1\r\n" + H + headers + "\r\n" + body;
}

const Case kCases[] = {
    // Limits (LimitRequestLine / LimitRequestFieldSize / LimitRequestFields at their defaults).
    {"request_line_8191", "GET /?" + std::string(8191 - 15, 'a') + " HTTP/1.1\r\n" + H + "\r\n", 0, "404"},
    {"request_line_8192", "GET /?" + std::string(8192 - 15, 'a') + " HTTP/1.1\r\n" + H + "\r\n", 414, "414"},
    {"uri_far_too_long", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n" + H + "\r\n", 414, "414"},
    {"header_line_8191", "GET / HTTP/1.1\r\n" + H + "X-Big: " + std::string(8191 - 7, 'a') + "\r\n\r\n", 0,
     "404"},
    {"header_line_8192", "GET / HTTP/1.1\r\n" + H + "X-Big: " + std::string(8192 - 7, 'a') + "\r\n\r\n", 400,
     "400 Size of a request header field exceeds server limit."},
    {"folded_header_too_long",
     "GET / HTTP/1.1\r\n" + H + "X-F: " + std::string(5000, 'a') + "\r\n " + std::string(5000, 'b') +
         "\r\n\r\n",
     400, "400 Size of a request header field exceeds server limit."},
    {"fields_100", "GET / HTTP/1.1\r\n" + H + many_headers(99) + "\r\n", 0, "404"},
    {"fields_101", "GET / HTTP/1.1\r\n" + H + many_headers(100) + "\r\n", 400,
     "400 The number of request header fields exceeds this server's limit."},
    // Request line.
    {"lowercase_method", "get / HTTP/1.1\r\n" + H + "\r\n", 0, "501 (LenientMethods: reaches the handler)"},
    {"unknown_method", "FOO / HTTP/1.1\r\n" + H + "\r\n", 0, "501 (reaches the handler)"},
    {"unknown_method_registered", "FOO / HTTP/1.1\r\n" + H + "\r\n", 501, "501", Registered},
    {"method_bad_char", "GE(T / HTTP/1.1\r\n" + H + "\r\n", 400, "400"},
    {"method_bad_char_unsafe", "GE(T / HTTP/1.1\r\n" + H + "\r\n", 0, "404", Unsafe},
    {"version_1_2", "GET / HTTP/1.2\r\n" + H + "\r\n", 0, "404"},
    {"version_2_0", "GET / HTTP/2.0\r\n" + H + "\r\n", 0, "404 (answered as HTTP/1.1)"},
    {"version_9_9", "GET / HTTP/9.9\r\n" + H + "\r\n", 0, "404"},
    {"version_0_9_explicit", "GET / HTTP/0.9\r\n" + H + "\r\n", 400, "400"},
    {"version_no_minor", "GET / HTTP/1\r\n" + H + "\r\n", 400, "400"},
    {"version_1_10", "GET / HTTP/1.10\r\n" + H + "\r\n", 400, "400"},
    {"version_10_1", "GET / HTTP/10.1\r\n" + H + "\r\n", 400, "400"},
    {"version_1_01", "GET / HTTP/1.01\r\n" + H + "\r\n", 400, "400"},
    {"version_lowercase", "GET / http/1.1\r\n" + H + "\r\n", 400, "400"},
    {"version_lowercase_unsafe", "GET / http/1.1\r\n" + H + "\r\n", 0, "404", Unsafe},
    {"version_leading_zero", "GET / HTTP/01.1\r\n" + H + "\r\n", 400, "400"},
    {"version_garbage", "GET / FOO/1.1\r\n" + H + "\r\n", 400, "400"},
    {"version_suffix", "GET / HTTP/1.1x\r\n" + H + "\r\n", 400, "400"},
    {"http09_simple", "GET /\r\n\r\n", 0, "404 page body without status line (Allow0.9 default)"},
    {"http09_require10", "GET /\r\n\r\n", 400, "400", Registered},
    {"double_space", "GET  / HTTP/1.1\r\n" + H + "\r\n", 400, "400"},
    {"double_space_unsafe", "GET  / HTTP/1.1\r\n" + H + "\r\n", 0, "404", Unsafe},
    {"tab_separator", "GET\t/ HTTP/1.1\r\n" + H + "\r\n", 400, "400"},
    {"trailing_space", "GET / HTTP/1.1 \r\n" + H + "\r\n", 400, "400"},
    {"trailing_space_unsafe", "GET / HTTP/1.1 \r\n" + H + "\r\n", 0, "404", Unsafe},
    {"extra_token", "GET / HTTP/1.1 x\r\n" + H + "\r\n", 400, "400"},
    {"leading_blank_lines", "\r\n\r\nGET / HTTP/1.1\r\n" + H + "\r\n", 0, "404"},
    // Request target.
    {"uri_ctl",
     "GET /a\x01"
     "b HTTP/1.1\r\n" +
         H + "\r\n",
     400, "400"},
    {"uri_ctl_unsafe",
     "GET /a\x01"
     "b HTTP/1.1\r\n" +
         H + "\r\n",
     400, "400", Unsafe},
    {"uri_del",
     "GET /a\x7f"
     "b HTTP/1.1\r\n" +
         H + "\r\n",
     400, "400"},
    {"uri_obs_text", "GET /caf\xe9 HTTP/1.1\r\n" + H + "\r\n", 0, "404"},
    {"uri_no_slash", "GET foo HTTP/1.1\r\n" + H + "\r\n", 400, "400"},
    {"uri_star_get", "GET * HTTP/1.1\r\n" + H + "\r\n", 400, "400"},
    {"uri_star_options", "OPTIONS * HTTP/1.1\r\n" + H + "\r\n", 0, "200"},
    {"uri_fragment", "GET /index.html#x HTTP/1.1\r\n" + H + "\r\n", 400, "400"},
    {"uri_bad_percent", "GET /%zz HTTP/1.1\r\n" + H + "\r\n", 400, "400"},
    {"uri_dotdot_above_root", "GET /../../etc/passwd HTTP/1.1\r\n" + H + "\r\n", 400, "400"},
    {"absolute_uri", "GET http://localhost/index.html HTTP/1.1\r\n" + H + "\r\n", 0, "200"},
    {"absolute_uri_other_scheme", "GET foo://bar/ HTTP/1.1\r\n" + H + "\r\n", 400, "400"},
    {"connect_authority", "CONNECT localhost:443 HTTP/1.1\r\n" + H + "\r\n", 0, "405 (no proxy)"},
    // Host.
    {"missing_host_http11", "GET / HTTP/1.1\r\n\r\n", 400, "400"},
    {"missing_host_http10", "GET / HTTP/1.0\r\n\r\n", 0, "404"},
    {"two_hosts", "GET / HTTP/1.1\r\n" + H + "Host: other\r\n\r\n", 400, "400"},
    {"host_space", "GET / HTTP/1.1\r\nHost: local host\r\n\r\n", 400, "400"},
    {"host_space_unsafe", "GET / HTTP/1.1\r\nHost: local host\r\n\r\n", 0, "404", Unsafe},
    {"host_bad_port", "GET / HTTP/1.1\r\nHost: localhost:abc\r\n\r\n", 400, "400"},
    {"host_port_99999", "GET / HTTP/1.1\r\nHost: localhost:99999\r\n\r\n", 400, "400"},
    {"host_unclosed_ipv6", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, "400"},
    {"host_ipv6", "GET / HTTP/1.1\r\nHost: [::1]:28080\r\n\r\n", 0, "404"},
    {"host_slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "400"},
    {"host_userinfo", "GET / HTTP/1.1\r\nHost: u@localhost\r\n\r\n", 400, "400"},
    {"host_empty", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400, "400"},
    {"host_underscore", "GET / HTTP/1.1\r\nHost: a_b.example\r\n\r\n", 0, "404"},
    {"host_trailing_dot", "GET / HTTP/1.1\r\nHost: localhost.\r\n\r\n", 0, "404"},
    // Header fields.
    {"space_before_colon", "GET / HTTP/1.1\r\n" + H + "X-A : 1\r\n\r\n", 400, "400"},
    {"space_before_colon_unsafe", "GET / HTTP/1.1\r\n" + H + "X-A : 1\r\n\r\n", 400, "400", Unsafe},
    {"no_colon", "GET / HTTP/1.1\r\n" + H + "NoColonHere\r\n\r\n", 400, "400"},
    {"empty_name", "GET / HTTP/1.1\r\n" + H + ": x\r\n\r\n", 400, "400"},
    {"bad_name_char", "GET / HTTP/1.1\r\n" + H + "X(Y: 1\r\n\r\n", 400, "400"},
    {"bad_name_char_unsafe", "GET / HTTP/1.1\r\n" + H + "X(Y: 1\r\n\r\n", 0, "404", Unsafe},
    {"value_ctl",
     "GET / HTTP/1.1\r\n" + H +
         "X-A: a\x01"
         "b\r\n\r\n",
     400, "400"},
    {"value_ctl_unsafe",
     "GET / HTTP/1.1\r\n" + H +
         "X-A: a\x01"
         "b\r\n\r\n",
     0, "404", Unsafe},
    {"value_nul", "GET / HTTP/1.1\r\n" + H + std::string("X-A: a\0b\r\n\r\n", 12), 400, "400"},
    {"value_tab", "GET / HTTP/1.1\r\n" + H + "X-A: a\tb\r\n\r\n", 0, "404"},
    {"value_obs_text", "GET / HTTP/1.1\r\n" + H + "X-A: caf\xe9\r\n\r\n", 0, "404"},
    {"obs_fold", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\n b\r\n\r\n", 0, "404 (joined as \"a b\")"},
    {"obs_fold_first_line", "GET / HTTP/1.1\r\n x\r\n" + H + "\r\n", 400, "400"},
    {"whitespace_only_line", "GET / HTTP/1.1\r\n" + H + "   \r\n\r\n", 400, "400"},
    {"bare_lf", "GET / HTTP/1.1\nHost: localhost\n\n", 400, "400"},
    {"bare_lf_unsafe", "GET / HTTP/1.1\nHost: localhost\n\n", 0, "404", Unsafe},
    {"bare_lf_in_headers", "GET / HTTP/1.1\r\nHost: localhost\n\r\n", 400, "400"},
    {"bare_cr", "GET / HTTP/1.1\rHost: localhost\r\n\r\n", 400, "400"},
    // Framing and smuggling.
    {"cl_and_te", post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "3\r\nabc\r\n0\r\n\r\n"), 0,
     "200, chunked body used, connection closed", Strict, true},
    {"te_gzip", post("Transfer-Encoding: gzip\r\n", ""), 400, "400"},
    {"te_gzip_chunked", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 0, "200"},
    {"te_chunked_gzip", post("Transfer-Encoding: chunked, gzip\r\n", "0\r\n\r\n"), 400, "400"},
    {"te_twice", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 0, "200"},
    {"te_identity", post("Transfer-Encoding: identity\r\n", ""), 400, "400"},
    {"te_mixed_case", post("Transfer-Encoding: Chunked\r\n", "3\r\nabc\r\n0\r\n\r\n"), 0, "200"},
    {"te_http10",
     "POST /reflect HTTP/1.0\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 0,
     "200, closed"},
    {"te_space_before_colon", post("Transfer-Encoding : chunked\r\n", "3\r\nabc\r\n0\r\n\r\n"), 400, "400"},
    {"cl_two_different", post("Content-Length: 3\r\nContent-Length: 4\r\n", "abcd"), 400, "400"},
    {"cl_two_same", post("Content-Length: 3\r\nContent-Length: 3\r\n", "abc"), 400, "400"},
    {"cl_list", post("Content-Length: 3, 3\r\n", "abc"), 400, "400"},
    {"cl_negative", post("Content-Length: -1\r\n", ""), 400, "400"},
    {"cl_plus", post("Content-Length: +3\r\n", "abc"), 400, "400"},
    {"cl_alpha", post("Content-Length: abc\r\n", ""), 400, "400"},
    {"cl_trailing_junk", post("Content-Length: 3x\r\n", "abc"), 400, "400"},
    {"cl_overflow", post("Content-Length: 99999999999999999999999\r\n", ""), 400, "400"},
    {"cl_hex", post("Content-Length: 0x3\r\n", "abc"), 400, "400"},
    {"cl_empty", post("Content-Length:\r\n", ""), 400, "400"},
    {"cl_leading_zeros", post("Content-Length: 003\r\n", "abc"), 0, "200"},
    {"chunk_bad_hex", post("Transfer-Encoding: chunked\r\n", "zz\r\nabc\r\n0\r\n\r\n"), 400, "400"},
    {"chunk_0x_prefix", post("Transfer-Encoding: chunked\r\n", "0x3\r\nabc\r\n0\r\n\r\n"), 400, "400"},
    {"chunk_negative", post("Transfer-Encoding: chunked\r\n", "-3\r\nabc\r\n0\r\n\r\n"), 400, "400"},
    {"chunk_size_overflow", post("Transfer-Encoding: chunked\r\n", "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n"),
     413, "413 (no Content-Length, closed)"},
    {"chunk_missing_crlf", post("Transfer-Encoding: chunked\r\n", "3\r\nabcX\r\n0\r\n\r\n"), 400,
     "closed mid-body (reflector had started a 200)"},
    {"chunk_extension", post("Transfer-Encoding: chunked\r\n", "3;foo=bar\r\nabc\r\n0\r\n\r\n"), 0, "200"},
    {"chunk_extension_ctl", post("Transfer-Encoding: chunked\r\n", "3;\x01\r\nabc\r\n0\r\n\r\n"), 400, "400"},
    {"chunk_space_after_size", post("Transfer-Encoding: chunked\r\n", "3 \r\nabc\r\n0\r\n\r\n"), 0, "200"},
    {"chunk_bare_lf", post("Transfer-Encoding: chunked\r\n", "3\nabc\n0\n\n"), 400, "400"},
    {"chunk_trailer", post("Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"), 0, "200"},
    {"chunk_empty_size", post("Transfer-Encoding: chunked\r\n", "\r\nabc\r\n0\r\n\r\n"), 400, "400"},
    // Expect.
    {"expect_unknown", "GET / HTTP/1.1\r\n" + H + "Expect: foo\r\n\r\n", 417,
     "417 (no Connection header, then closed)"},
    {"expect_unknown_http10", "GET / HTTP/1.0\r\n" + H + "Expect: foo\r\n\r\n", 417, "417"},
    {"expect_100_mixed_case", "GET / HTTP/1.1\r\n" + H + "Expect: 100-Continue\r\n\r\n", 0, "404"},
    {"expect_100_http10", "GET / HTTP/1.0\r\n" + H + "Expect: 100-continue\r\n\r\n", 0, "404 (no 100 sent)"},
};

ProtocolOptions options_for(Mode m) {
  ProtocolOptions o;
  if (m == Unsafe) o.strict = false;
  if (m == Registered) {
    o.registered_methods = true;
    o.allow_http09 = false;
  }
  return o;
}

// Runs a request through the parser and, for a chunked body, the decoder; returns the status.
int run(const Case& c, Request& req, std::string* body = nullptr) {
  ProtocolOptions opts = options_for(c.mode);
  RequestParser parser(&opts);
  std::string buf = c.raw;
  auto r = parser.parse(buf.data(), buf.size(), req);
  if (r == RequestParser::Result::Error) return parser.error().status;
  if (r != RequestParser::Result::Done) return -1;
  std::span<const char> rest(buf.data() + parser.head_size(), buf.size() - parser.head_size());
  if (req.body == BodyKind::Chunked) {
    ChunkedDecoder dec(kDefaultLimitRequestBody);
    for (int guard = 0; guard < 1000; ++guard) {
      auto s = dec.step(rest);
      rest = rest.subspan(s.consumed);
      if (s.status == ChunkedDecoder::Status::Data && body) body->append(s.data.data(), s.data.size());
      if (s.status == ChunkedDecoder::Status::Error) return dec.error_status();
      if (s.status == ChunkedDecoder::Status::Done) return 0;
      if (s.status == ChunkedDecoder::Status::NeedMore) return -2;
    }
    return -3;
  }
  return 0;
}

TEST(HttpRequestParser, ApacheMalformedTable) {
  int rejected = 0;
  for (const Case& c : kCases) {
    Request req;
    EXPECT_EQ(run(c, req), c.expect) << c.name << " (Apache: " << c.apache << ")";
    if (c.expect == 0) {
      EXPECT_EQ(req.must_close, c.closes) << c.name;
    }
    if (c.expect != 0) ++rejected;
  }
  EXPECT_GE(rejected, 40);
}

// Every case must also parse identically when the bytes arrive one at a time.
TEST(HttpRequestParser, ByteByByteGivesSameAnswer) {
  for (const Case& c : kCases) {
    ProtocolOptions opts = options_for(c.mode);
    RequestParser whole(&opts), split(&opts);
    Request a, b;
    std::string x = c.raw, y = c.raw;
    auto ra = whole.parse(x.data(), x.size(), a);
    RequestParser::Result rb = RequestParser::Result::NeedMore;
    for (std::size_t n = 1; n <= y.size() && rb == RequestParser::Result::NeedMore; ++n)
      rb = split.parse(y.data(), n, b);
    ASSERT_EQ(ra, rb) << c.name;
    if (ra == RequestParser::Result::Error) {
      EXPECT_EQ(whole.error().status, split.error().status) << c.name;
    }
    if (ra == RequestParser::Result::Done) {
      EXPECT_EQ(whole.head_size(), split.head_size()) << c.name;
    }
  }
}

TEST(HttpRequestParser, FieldsAndViews) {
  std::string raw = "POST /a/b?x=1&y HTTP/1.1\r\nHost: Example.COM:8080\r\nX-A:  v1 \t\r\n"
                    "X-Fold: one  \r\n \t two\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello";
  RequestParser p;
  Request r;
  ASSERT_EQ(p.parse(raw.data(), raw.size(), r), RequestParser::Result::Done);
  EXPECT_EQ(r.method, Method::Post);
  EXPECT_EQ(r.method_text, "POST");
  EXPECT_EQ(r.target, "/a/b?x=1&y");
  EXPECT_EQ(r.path, "/a/b");
  EXPECT_EQ(r.query, "x=1&y");
  EXPECT_EQ(r.protocol, "HTTP/1.1");
  EXPECT_EQ(r.version(), 1001);
  EXPECT_EQ(r.host, "Example.COM");
  EXPECT_EQ(r.port, "8080");
  ASSERT_NE(r.find("x-a"), nullptr);
  EXPECT_EQ(r.find("X-A")->value, "v1");
  EXPECT_EQ(r.find("x-fold")->value, "one two"); // Apache joins a fold with one space
  EXPECT_EQ(r.body, BodyKind::Length);
  EXPECT_EQ(r.content_length, 5u);
  EXPECT_TRUE(r.keep_alive);
  EXPECT_TRUE(r.keep_alive_sent);
  EXPECT_EQ(std::string_view(raw).substr(p.head_size()), "hello");
}

TEST(HttpRequestParser, KeepAliveRules) {
  struct {
    const char* raw;
    bool keep_alive;
  } rows[] = {
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n", false},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
      {"GET /\r\n\r\n", false},
  };
  for (auto& row : rows) {
    std::string raw = row.raw;
    RequestParser p;
    Request r;
    ASSERT_EQ(p.parse(raw.data(), raw.size(), r), RequestParser::Result::Done) << row.raw;
    EXPECT_EQ(r.keep_alive, row.keep_alive) << row.raw;
  }
}

TEST(HttpRequestParser, ExpectContinueAndHead) {
  std::string raw = "PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
  RequestParser p;
  Request r;
  ASSERT_EQ(p.parse(raw.data(), raw.size(), r), RequestParser::Result::Done);
  EXPECT_TRUE(r.expect_continue);
  std::string head = "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n";
  p.reset();
  ASSERT_EQ(p.parse(head.data(), head.size(), r), RequestParser::Result::Done);
  EXPECT_EQ(r.method, Method::Head);
  EXPECT_FALSE(r.expect_continue);
}

TEST(HttpRequestParser, Expect417CarriesValueAndNotesAreApaches) {
  std::string raw = "GET / HTTP/1.1\r\nHost: a\r\nExpect: foo\r\n\r\n";
  RequestParser p;
  Request r;
  ASSERT_EQ(p.parse(raw.data(), raw.size(), r), RequestParser::Result::Error);
  EXPECT_EQ(p.error().status, 417);
  EXPECT_EQ(p.error().expect, "foo");
  Case big = kCases[4];
  ASSERT_STREQ(big.name, "header_line_8192");
  RequestParser q;
  std::string b = big.raw;
  ASSERT_EQ(q.parse(b.data(), b.size(), r), RequestParser::Result::Error);
  EXPECT_EQ(q.error().note, "Size of a request header field exceeds server limit.");
}

TEST(HttpRequestParser, LimitsAreEnforcedBeforeTheLineEnds) {
  // A client streaming an endless request line or header must be stopped without waiting for LF.
  RequestParser p;
  Request r;
  std::string rl = "GET /" + std::string(9000, 'a');
  EXPECT_EQ(p.parse(rl.data(), rl.size(), r), RequestParser::Result::Error);
  EXPECT_EQ(p.error().status, 414);
  RequestParser q;
  std::string hl = "GET / HTTP/1.1\r\nX: " + std::string(9000, 'a');
  EXPECT_EQ(q.parse(hl.data(), hl.size(), r), RequestParser::Result::Error);
  EXPECT_EQ(q.error().status, 400);
  EXPECT_TRUE(!q.in_request_line());
}

TEST(HttpRequestParser, ConfigurableLimits) {
  ProtocolOptions o;
  o.limit_request_line = 23; // the 24-char line below is allowed (limit+1, as Apache)
  o.limit_request_fields = 2;
  o.limit_request_field_size = 30;
  RequestParser p(&o);
  Request r;
  std::string ok = "GET /0123456789 HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n";
  EXPECT_EQ(p.parse(ok.data(), ok.size(), r), RequestParser::Result::Done);
  p.reset();
  std::string three = "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nY: 2\r\n\r\n";
  EXPECT_EQ(p.parse(three.data(), three.size(), r), RequestParser::Result::Error);
  EXPECT_EQ(p.error().note, kNoteTooManyFields);
  p.reset();
  std::string longline = "GET /0123456789abcdefghijklmno HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(p.parse(longline.data(), longline.size(), r), RequestParser::Result::Error);
  EXPECT_EQ(p.error().status, 414);
}

TEST(HttpRequestParser, StalledRequestLineIsDistinguishedFromStalledHeaders) {
  RequestParser p;
  Request r;
  std::string a = "\r\n";
  EXPECT_EQ(p.parse(a.data(), a.size(), r), RequestParser::Result::NeedMore);
  EXPECT_FALSE(p.started());
  std::string b = "GET / HT";
  EXPECT_EQ(p.parse(b.data(), b.size(), r), RequestParser::Result::NeedMore);
  EXPECT_TRUE(p.started());
  EXPECT_TRUE(p.in_request_line());
  std::string c = "GET / HTTP/1.1\r\nHost: lo";
  p.reset();
  EXPECT_EQ(p.parse(c.data(), c.size(), r), RequestParser::Result::NeedMore);
  EXPECT_FALSE(p.in_request_line());
}

TEST(ChunkedDecoder, DecodesAcrossSplitsAndHonoursLimit) {
  std::string body = "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: x\r\n\r\nNEXT";
  for (std::size_t split = 1; split < body.size(); ++split) {
    ChunkedDecoder d;
    std::string out;
    std::string pending;
    bool done = false;
    std::size_t fed = 0;
    for (int guard = 0; guard < 10000 && !done; ++guard) {
      if (pending.empty() && fed < body.size()) {
        std::size_t n = std::min(split, body.size() - fed);
        pending.assign(body, fed, n);
        fed += n;
      }
      auto s = d.step(pending);
      if (s.status == ChunkedDecoder::Status::Data) out.append(s.data.data(), s.data.size());
      pending.erase(0, s.consumed);
      ASSERT_NE(s.status, ChunkedDecoder::Status::Error) << split;
      if (s.status == ChunkedDecoder::Status::Done) done = true;
    }
    ASSERT_TRUE(done) << split;
    EXPECT_EQ(out, "helloabcdefghijklmnopqrstuvwxyz") << split;
    EXPECT_EQ(pending + body.substr(fed), "NEXT") << split;
  }
  ChunkedDecoder limited(10);
  std::string big = "b\r\nabcdefghijk\r\n0\r\n\r\n";
  auto s = limited.step(big);
  EXPECT_EQ(s.status, ChunkedDecoder::Status::Error);
  EXPECT_EQ(limited.error_status(), 413); // Apache: 413 for LimitRequestBody 10 and an 11-byte chunk
}

} // namespace
} // namespace balancerd::http
