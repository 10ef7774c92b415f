// An ErrorDocument's internal redirect as the new request sees it (RedirectedExchange): a GET for any
// method, the ErrorDocument's path and query, no body, the original's (edited) headers; the original
// error status on the response unless a backend answered without ProxyErrorOverride; REDIRECT_<env>
// and REDIRECT_STATUS in the new request's environment; and the original's page with the
// "Additionally" paragraph (and its signature) when the redirect fails itself.
#include <gtest/gtest.h>

#include <string>

#include "server/http/error_page.hpp"
#include "server/pipeline/internal_redirect.hpp"
#include "server/pipeline/redirect_page.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::pipeline {
namespace {

class RecordingExchange final : public net::Exchange {
public:
  http::Request req;
  net::PeerInfo peer_info{"127.0.0.1", 40000, "127.0.0.1", 8080};
  http::ResponseHead head;
  int status_written = 0;
  bool sent = false;
  const http::Request& request() const override { return req; }
  const net::PeerInfo& peer() const override { return peer_info; }
  void set_body_limit(std::uint64_t) override {}
  void read_body(net::BodyCallback) override { ++body_reads; }
  int body_reads = 0;
  http::ResponseHead& response() override { return head; }
  void write(std::span<const char>, bool, net::WriteCallback) override {
    if (!sent) status_written = head.status;
    sent = true;
  }
  void send_error(int status, const http::ErrorPageInfo& info, std::string_view allow) override {
    error_status = status;
    error_info = info;
    error_allow = allow;
    sent = true;
  }
  bool head_sent() const override { return sent; }
  void set_page_identity(http::ServerSignature s, std::string_view) override { signature = s; }
  void close_after_response() override { close_after = true; }
  bool close_after = false;
  int error_status = 0;
  http::ErrorPageInfo error_info;
  std::string_view error_allow;
  http::ServerSignature signature = http::ServerSignature::Off;
};

http::Request post_with_query() {
  http::Request r;
  r.method = http::Method::Post;
  r.method_text = "POST";
  r.target = "/nothing?a=1";
  r.path = "/nothing";
  r.query = "a=1";
  r.body = http::BodyKind::Length;
  r.content_length = 3;
  return r;
}

TEST(InternalRedirect, NewRequestIsAGetForTheErrorDocumentWithoutBody) {
  RecordingExchange outer;
  outer.req = post_with_query();
  RequestState from;
  RedirectedExchange ex(outer, from, "/errors/404.html?x=2", 404);
  const auto& r = ex.request();
  EXPECT_EQ(r.method, http::Method::Get);
  EXPECT_EQ(r.method_text, "GET");
  EXPECT_EQ(r.target, "/errors/404.html?x=2");
  EXPECT_EQ(r.path, "/errors/404.html");
  EXPECT_EQ(r.query, "x=2");
  EXPECT_EQ(r.body, http::BodyKind::None);
  EXPECT_EQ(outer.request().method, http::Method::Post); // the client's request is untouched
}

TEST(InternalRedirect, TheOriginalBodyIsNeverTheNewRequests) {
  // a POST's unread body stays with the connection (to be discarded), even when the new request
  // still carries the client's Content-Length field (a backend must not receive those bytes)
  RecordingExchange outer;
  outer.req = post_with_query();
  outer.req.headers = {{"Content-Length", "3"}};
  RequestState from;
  RedirectedExchange ex(outer, from, "/errp/404", 404);
  int calls = 0;
  ex.read_body([&](const net::BodyPiece& p) {
    ++calls;
    EXPECT_TRUE(p.end);
    EXPECT_TRUE(p.data.empty());
    EXPECT_EQ(p.error, 0);
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(outer.body_reads, 0);
}

TEST(InternalRedirect, AChunkedOriginalBodyLeavesAnEmptyDeclaredOne) {
  RecordingExchange outer;
  outer.req = post_with_query();
  outer.req.body = http::BodyKind::Chunked;
  outer.req.headers = {{"Host", "localhost"}, {"Transfer-Encoding", "chunked"}};
  RequestState from;
  RedirectedExchange ex(outer, from, "/errp/404", 404);
  const auto* cl = ex.request().find("Content-Length");
  ASSERT_NE(cl, nullptr);
  EXPECT_EQ(cl->value, "0");
  EXPECT_EQ(ex.request().body, http::BodyKind::None);

  RecordingExchange get;
  RedirectedExchange plain(get, from, "/errp/404", 404);
  EXPECT_EQ(plain.request().find("Content-Length"), nullptr); // no body: none declared
}

TEST(InternalRedirect, HeadBecomesGetToo) {
  // Apache's redirect is a GET for a HEAD as well (a backend sees GET; the client's connection,
  // still answering a HEAD, sends no body)
  RecordingExchange outer;
  outer.req.method = http::Method::Head;
  outer.req.method_text = "HEAD";
  RequestState from;
  RedirectedExchange ex(outer, from, "/errors/404.html", 404);
  EXPECT_EQ(ex.request().method, http::Method::Get);
  EXPECT_EQ(ex.request().method_text, "GET");
  EXPECT_TRUE(ex.request().query.empty());
}

TEST(InternalRedirect, ResponseKeepsTheOriginalErrorStatus) {
  RecordingExchange outer;
  RequestState from;
  RedirectedExchange ex(outer, from, "/errors/503.html", 503);
  ex.response().status = 200; // what the static-file handler sets
  ex.write({}, true, {});
  EXPECT_EQ(outer.status_written, 503);
}

TEST(InternalRedirect, NewRequestStartsWithRedirectVariables) {
  RecordingExchange outer;
  outer.req = post_with_query();
  RequestState from, inner;
  from.env.set("came_from", "nothing");
  RedirectedExchange ex(outer, from, "/errors/404.html", 404);
  ex.set_handler_state(&inner);
  EXPECT_EQ(ex.handler_state(), &inner);
  EXPECT_EQ(inner.redirected_from, &from);
  EXPECT_EQ(inner.env.get("REDIRECT_came_from").value_or("-"), "nothing");
  EXPECT_EQ(inner.env.get("REDIRECT_STATUS").value_or("-"), "404");
  // QUERY_STRING is a CGI variable, not in Apache's environment: no REDIRECT_QUERY_STRING
  EXPECT_FALSE(inner.env.get("REDIRECT_QUERY_STRING").has_value());
  EXPECT_FALSE(inner.env.get("came_from").has_value());
  EXPECT_FALSE(from.env.get("REDIRECT_STATUS").has_value());
}

TEST(InternalRedirect, NewRequestStartsFromTheOriginalsEditedHeaders) {
  RecordingExchange outer;
  outer.req = post_with_query();
  outer.req.headers = {{"Host", "localhost"}, {"X-Early", "client"}};
  outer.req.body = http::BodyKind::None;
  RequestState from;
  // what the original's RequestHeader rules made of its headers (Apache's shared headers_in)
  from.headers_in.add("Host", "localhost");
  from.headers_in.add("X-Early", "client, e1");
  from.ctx.headers_in = &from.headers_in;
  RedirectedExchange ex(outer, from, "/errors/404.html", 404);
  const auto* h = ex.request().find("X-Early");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->value, "client, e1");
  EXPECT_EQ(ex.request().headers.size(), 2u);
  EXPECT_EQ(outer.request().find("X-Early")->value, "client");
}

TEST(InternalRedirect, UneditedHeadersAreTheClients) {
  RecordingExchange outer;
  outer.req = post_with_query();
  outer.req.headers = {{"Host", "localhost"}, {"If-None-Match", "\"x\""}};
  outer.req.body = http::BodyKind::None;
  RequestState from;
  RedirectedExchange ex(outer, from, "/errors/404.html", 404);
  ASSERT_NE(ex.request().find("If-None-Match"), nullptr);
  EXPECT_EQ(ex.request().headers.size(), 2u);
}

TEST(InternalRedirect, AnErrorOfTheRedirectIsTheOriginalsPageWithTheAdditionalParagraph) {
  RecordingExchange outer;
  RequestState from;
  from.redirect = std::make_unique<InternalRedirect>();
  http::ErrorPageInfo original;
  original.note = "The proxy server could not handle the request";
  original.reason = "Proxy Error";
  RedirectedExchange ex(outer, from, "/errors/502.html", 502, original, "GET,HEAD");
  ex.send_error(403, {}, {});
  EXPECT_EQ(outer.error_status, 502);
  EXPECT_EQ(outer.error_info.additional_status, 502); // Apache names the original status
  EXPECT_EQ(outer.error_info.note, "The proxy server could not handle the request");
  EXPECT_EQ(outer.error_info.reason, "Proxy Error");
  EXPECT_EQ(outer.error_allow, "GET,HEAD");
  EXPECT_TRUE(from.redirect->failed);
  EXPECT_EQ(from.redirect->nested_status, 403);
  EXPECT_TRUE(from.error_response);
}

TEST(InternalRedirect, PagesKeepTheOriginalRequestsSignature) {
  RecordingExchange outer;
  outer.signature = http::ServerSignature::On;
  RequestState from;
  RedirectedExchange ex(outer, from, "/errors/404.html", 404);
  ex.set_page_identity(http::ServerSignature::Off, "");
  EXPECT_EQ(outer.signature, http::ServerSignature::On);
}

TEST(InternalRedirect, ABackendAnswerKeepsItsStatusUnlessProxyErrorOverride) {
  RecordingExchange outer;
  RequestState from, inner;
  RedirectedExchange ex(outer, from, "/errpages/404", 404);
  ex.set_handler_state(&inner);
  inner.handler = "proxy-server";
  auto dir = std::make_shared<directives::DirConf>();
  inner.dir = dir;
  ex.response().status = 200;
  ex.write({}, false, {});
  EXPECT_EQ(outer.status_written, 200);

  RecordingExchange outer2;
  RequestState from2, inner2;
  RedirectedExchange ex2(outer2, from2, "/errpages/404", 404);
  ex2.set_handler_state(&inner2);
  inner2.handler = "proxy-server";
  auto dir2 = std::make_shared<directives::DirConf>();
  dir2->proxy->error_override = true;
  inner2.dir = dir2;
  ex2.response().status = 200;
  ex2.write({}, false, {});
  EXPECT_EQ(outer2.status_written, 404);
}

TEST(InternalRedirect, AConnectionDroppingStatusClosesTheConnectionWhateverTheBackendAnswers) {
  // apache2 closes after an ErrorDocument for 400, 408, 411, 413, 414, 500, 501, 503, also when a
  // backend answers the redirect with a 200 (its status goes out); other statuses keep it open
  for (int status : {400, 408, 411, 413, 414, 500, 501, 503}) {
    RecordingExchange outer;
    RequestState from, inner;
    RedirectedExchange ex(outer, from, "/errp/x", status);
    ex.set_handler_state(&inner);
    inner.handler = "proxy-server";
    inner.dir = std::make_shared<directives::DirConf>();
    ex.response().status = 200;
    ex.write({}, true, {});
    EXPECT_EQ(outer.status_written, 200) << status;
    EXPECT_TRUE(outer.close_after) << status;
  }
  for (int status : {401, 403, 404, 405, 410, 412, 415, 502, 504}) {
    RecordingExchange outer;
    RequestState from;
    RedirectedExchange ex(outer, from, "/errp/x", status);
    EXPECT_FALSE(outer.close_after) << status;
  }
}

TEST(InternalRedirect, AFullUrlErrorDocumentForADroppingStatusClosesAfterThe302) {
  RecordingExchange dropping;
  send_error_document_url(dropping, 503, "http://example.com/busy");
  EXPECT_TRUE(dropping.close_after);
  EXPECT_TRUE(dropping.sent);

  RecordingExchange kept;
  send_error_document_url(kept, 404, "http://example.com/missing");
  EXPECT_FALSE(kept.close_after);
  EXPECT_TRUE(kept.sent);
}

TEST(InternalRedirect, AdditionallyParagraphComesBeforeTheSignature) {
  std::string page;
  http::ErrorPageInfo info;
  info.additional_status = 404;
  info.signature = http::ServerSignature::On;
  info.banner = "Apache/2.4.71 (Debian)";
  info.host = "LocalHost";
  info.port = 8080;
  http::append_error_body(page, 404, info);
  const auto text = page.find("<p>The requested URL was not found on this server.</p>\n");
  const auto note =
      page.find("<p>Additionally, a 404 Not Found\nerror was encountered while trying to use an "
                "ErrorDocument to handle the request.</p>\n<hr>\n<address>Apache/2.4.71 "
                "(Debian) Server at localhost Port 8080</address>\n</body></html>\n");
  ASSERT_NE(text, std::string::npos);
  ASSERT_NE(note, std::string::npos);
  EXPECT_LT(text, note);
}

} // namespace
} // namespace balancerd::pipeline
