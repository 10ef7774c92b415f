// An ErrorDocument's internal redirect as the new request sees it (RedirectedExchange): GET for any
// method but HEAD, the ErrorDocument's path and query, no body; the original error status on the
// response whatever its handler set; REDIRECT_<env>, REDIRECT_STATUS and REDIRECT_QUERY_STRING in
// the new request's environment. And the "Additionally" page of a redirect that failed itself.
#include <gtest/gtest.h>

#include <string>

#include "server/pipeline/internal_redirect.hpp"
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
  void read_body(net::BodyCallback) override {}
  http::ResponseHead& response() override { return head; }
  void write(std::span<const char>, bool, net::WriteCallback) override {
    if (!sent) status_written = head.status;
    sent = true;
  }
  void send_error(int, const http::ErrorPageInfo&, std::string_view) override {}
  bool head_sent() const override { return sent; }
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

TEST(InternalRedirect, HeadStaysHead) {
  RecordingExchange outer;
  outer.req.method = http::Method::Head;
  outer.req.method_text = "HEAD";
  RequestState from;
  RedirectedExchange ex(outer, from, "/errors/404.html", 404);
  EXPECT_EQ(ex.request().method, http::Method::Head);
  EXPECT_EQ(ex.request().method_text, "HEAD");
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
  EXPECT_EQ(inner.env.get("REDIRECT_QUERY_STRING").value_or("-"), "a=1");
  EXPECT_FALSE(inner.env.get("came_from").has_value());
  EXPECT_FALSE(from.env.get("REDIRECT_STATUS").has_value());
}

TEST(InternalRedirect, AdditionallyParagraphFollowsTheStatusText) {
  std::string page;
  append_additional_error_body(page, 404, 404, {});
  const auto text = page.find("<p>The requested URL was not found on this server.</p>\n");
  const auto note =
      page.find("<p>Additionally, a 404 Not Found\nerror was encountered while trying to use an "
                "ErrorDocument to handle the request.</p>\n</body></html>");
  ASSERT_NE(text, std::string::npos);
  ASSERT_NE(note, std::string::npos);
  EXPECT_LT(text, note);
}

} // namespace
} // namespace balancerd::pipeline
