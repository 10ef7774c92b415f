// The pure header transformations of the proxy: the backend request head and the client response
// head, checked against what Apache 2.4.71 sends (spec apache-captures.md §4 and live runs).
#include <gtest/gtest.h>

#include <vector>

#include "server/proxy/backend_request.hpp"
#include "server/proxy/client_response.hpp"

namespace balancerd::proxy {
namespace {

std::string build(const BackendRequestParams& p, std::vector<Field> f) {
  std::string out;
  build_backend_request(out, p, f);
  return out;
}

BackendRequestParams reverse_defaults() {
  BackendRequestParams p;
  p.method = "GET";
  p.path_query = "/hop";
  p.host = "127.0.0.1:18101";
  p.add_forwarded = true;
  p.client_ip = "127.0.0.1";
  p.server_hostname = "localhost";
  return p;
}

TEST(BackendRequest, HopByHopRemovedAndForwardedMerged) {
  // The /direct/hop capture: client's X-Forwarded-For merged in place, hop fields dropped.
  auto out = build(reverse_defaults(), {{"Host", "127.0.0.1:18080"},
                                        {"User-Agent", "curl/7.88.1"},
                                        {"Accept", "*/*"},
                                        {"Connection", "X-Foo, Keep-Alive"},
                                        {"X-Foo", "1"},
                                        {"Keep-Alive", "300"},
                                        {"TE", "trailers"},
                                        {"Upgrade", "h2c"},
                                        {"Proxy-Authorization", "x"},
                                        {"X-Forwarded-For", "10.0.0.1"}});
  EXPECT_EQ(out, "GET /hop HTTP/1.1\r\n"
                 "Host: 127.0.0.1:18101\r\n"
                 "User-Agent: curl/7.88.1\r\n"
                 "Accept: */*\r\n"
                 "Proxy-Authorization: x\r\n"
                 "X-Forwarded-For: 10.0.0.1, 127.0.0.1\r\n"
                 "X-Forwarded-Host: 127.0.0.1:18080\r\n"
                 "X-Forwarded-Server: localhost\r\n"
                 "Connection: Keep-Alive\r\n\r\n");
}

TEST(BackendRequest, ViaBeforeForwardedAndBodyFraming) {
  // Live Apache with ProxyVia Full: Via is appended before X-Forwarded-Host/-Server.
  auto p = reverse_defaults();
  p.method = "POST";
  p.path_query = "/post?a=1";
  p.via = ViaMode::Full;
  p.via_value = "1.1 localhost:18280 (Apache/2.4.71)";
  p.body = BodyFraming::Length;
  p.content_length = 7;
  auto out = build(p, {{"Host", "h:1"}, {"Content-Length", "7"}, {"X-Forwarded-For", "10.0.0.1"}});
  EXPECT_EQ(out, "POST /post?a=1 HTTP/1.1\r\nHost: 127.0.0.1:18101\r\n"
                 "X-Forwarded-For: 10.0.0.1, 127.0.0.1\r\n"
                 "Via: 1.1 localhost:18280 (Apache/2.4.71)\r\n"
                 "X-Forwarded-Host: h:1\r\nX-Forwarded-Server: localhost\r\n"
                 "Content-Length: 7\r\nConnection: Keep-Alive\r\n\r\n");
}

TEST(BackendRequest, ViaBlockExpectAndMaxForwards) {
  BackendRequestParams p;
  p.method = "PUT";
  p.path_query = "/x";
  p.host = "b";
  p.via = ViaMode::Block;
  p.max_forwards = 4;
  p.body = BodyFraming::Chunked;
  p.keep_alive = false;
  auto out = build(p, {{"Via", "1.0 other"}, {"Expect", "100-continue"}, {"Max-Forwards", "5"}});
  EXPECT_EQ(out, "PUT /x HTTP/1.1\r\nHost: b\r\nMax-Forwards: 4\r\n"
                 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  p.expect_100 = true;
  out = build(p, {{"Expect", "100-continue"}});
  EXPECT_EQ(out, "PUT /x HTTP/1.1\r\nHost: b\r\nExpect: 100-continue\r\nMax-Forwards: 4\r\n"
                 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  out = build(p, {});
  EXPECT_EQ(out, "PUT /x HTTP/1.1\r\nHost: b\r\nMax-Forwards: 4\r\nExpect: 100-Continue\r\n"
                 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
}

TEST(BackendRequest, ProxyAuthorizationDroppedWhenAuthenticatedLocally) {
  BackendRequestParams p;
  p.method = "GET";
  p.path_query = "/";
  p.host = "b";
  p.drop_proxy_authorization = true;
  EXPECT_EQ(build(p, {{"Proxy-Authorization", "x"}, {"A", "1"}}),
            "GET / HTTP/1.1\r\nHost: b\r\nA: 1\r\nConnection: Keep-Alive\r\n\r\n");
}

TEST(BackendRequest, RepeatedFieldsMergedIntoTheFirst) {
  BackendRequestParams p = reverse_defaults();
  p.path_query = "/";
  auto out = build(p, {{"Cookie", "a=1"},
                       {"X-Forwarded-For", "10.0.0.1"},
                       {"Cookie", "b=2"},
                       {"X-Forwarded-For", "10.0.0.2"}});
  EXPECT_EQ(out, "GET / HTTP/1.1\r\nHost: 127.0.0.1:18101\r\nCookie: a=1, b=2\r\n"
                 "X-Forwarded-For: 10.0.0.1, 10.0.0.2, 127.0.0.1\r\nX-Forwarded-Server: localhost\r\n"
                 "Connection: Keep-Alive\r\n\r\n");
}

TEST(BackendRequest, Http10HasNoConnectionField) {
  BackendRequestParams p;
  p.method = "GET";
  p.path_query = "/";
  p.host = "b";
  p.http10 = true;
  p.keep_alive = false;
  EXPECT_EQ(build(p, {}), "GET / HTTP/1.0\r\nHost: b\r\n\r\n");
}

TEST(BackendRequest, HostValue) {
  std::string s;
  append_host_value(s, "::1", 8080, 80);
  EXPECT_EQ(s, "[::1]:8080");
  s.clear();
  append_host_value(s, "example", 80, 80);
  EXPECT_EQ(s, "example");
}

struct TestMapper final : ReverseMapper {
  std::string_view map_url(std::string_view v, std::string& scratch) const override {
    if (v.starts_with("http://b/")) {
      scratch = "http://front/app/";
      scratch.append(v.substr(9));
      return scratch;
    }
    return v;
  }
  std::string_view map_cookie(std::string_view v, std::string& scratch) const override {
    scratch = std::string(v) + "; mapped";
    return scratch;
  }
};

TEST(ClientResponse, HopFieldsDroppedAndReverseApplied) {
  http::ResponseHead head;
  std::string scratch;
  TestMapper m;
  ClientResponseParams p;
  p.reverse = &m;
  p.via = ViaMode::On;
  p.via_value = "1.1 localhost";
  std::vector<Field> f = {{"Date", "x"},
                          {"Server", "y"},
                          {"Content-Type", "text/plain"},
                          {"Connection", "X-Foo, close"},
                          {"X-Foo", "1"},
                          {"Keep-Alive", "timeout=5"},
                          {"Proxy-Authenticate", "Basic"},
                          {"Upgrade", "h2c"},
                          {"TE", "trailers"},
                          {"Content-Length", "42"},
                          {"Location", "http://b/x"},
                          {"Set-Cookie", "a=b"},
                          {"X-Keep", "1"}};
  auto info = build_client_response(head, p, f, scratch);
  EXPECT_EQ(head.fields(), "Content-Type: text/plain\r\nLocation: http://front/app/x\r\n"
                           "Set-Cookie: a=b; mapped\r\nX-Keep: 1\r\nVia: 1.1 localhost\r\n");
  ASSERT_TRUE(info.content_length);
  EXPECT_EQ(*info.content_length, 42u);
  EXPECT_TRUE(info.backend_close);
  EXPECT_FALSE(info.chunked);
}

TEST(ClientResponse, ChunkedWinsOverLength) {
  http::ResponseHead head;
  std::string scratch;
  ClientResponseParams p;
  std::vector<Field> f = {{"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}};
  auto info = build_client_response(head, p, f, scratch);
  EXPECT_TRUE(info.chunked);
  EXPECT_FALSE(info.content_length);
  EXPECT_EQ(head.fields(), "");
  std::vector<Field> bad = {{"Content-Length", "3"}, {"Content-Length", "4"}};
  EXPECT_TRUE(build_client_response(head, p, bad, scratch).bad_content_length);
}

// Tokens of every Connection field count, however many (more than ConnectionTokens keeps inline).
TEST(ClientResponse, FieldsNamedByAnyConnectionFieldAreDropped) {
  http::ResponseHead head;
  std::string scratch;
  ClientResponseParams p;
  std::vector<Field> f = {{"Connection", "t1, t2, t3, t4, t5"},
                          {"T1", "1"},
                          {"Connection", "t6 t7,t8,t9"},
                          {"T9", "9"},
                          {"T5", "5"},
                          {"X-Keep", "1"},
                          {"Connection", "x-late"},
                          {"X-Late", "2"}};
  build_client_response(head, p, f, scratch);
  EXPECT_EQ(head.fields(), "X-Keep: 1\r\n");
  http::ResponseHead few;
  std::vector<Field> g = {
      {"X-A", "1"}, {"Connection", "X-A"}, {"X-B", "2"}, {"Connection", "x-b"}, {"X-C", "3"}};
  build_client_response(few, p, g, scratch);
  EXPECT_EQ(few.fields(), "X-C: 3\r\n");
}

TEST(BackendRequest, FieldsNamedByAnyConnectionFieldAreDropped) {
  BackendRequestParams p;
  p.method = "GET";
  p.path_query = "/";
  p.host = "b";
  EXPECT_EQ(build(p, {{"Connection", "a1, a2, a3, a4, a5, a6, a7, a8"},
                      {"A8", "x"},
                      {"Connection", "a9"},
                      {"A9", "x"},
                      {"B", "1"}}),
            "GET / HTTP/1.1\r\nHost: b\r\nB: 1\r\nConnection: Keep-Alive\r\n\r\n");
}

} // namespace
} // namespace balancerd::proxy
