// parse_backend_url's in-place path for plain "scheme://host[:port]/path" URLs must give what the
// general (APR) parser gives, and leave every other shape to it.
#include "server/proxypass/backend_url.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace balancerd::proxypass {
namespace {

struct Expect {
  const char* url;
  const char* scheme;
  const char* host;
  unsigned port;
  bool port_given;
  const char* request_uri;
};

TEST(BackendUrl, PlainShapes) {
  const Expect rows[] = {
      {"http://127.0.0.1:28411/small.html", "http", "127.0.0.1", 28411, true, "/small.html"},
      {"HTTP://Host.Example/a/b?c=d", "http", "Host.Example", 80, false, "/a/b?c=d"},
      {"h2c://h:0/", "h2c", "h", 0, true, "/"},
      {"https://h:00443", "https", "h", 443, true, "/"},
      {"http://h?x/y", "http", "h", 80, false, "/?x/y"},
      {"ws://h:65535//double", "ws", "h", 65535, true, "//double"},
      {"fcgi://h", "fcgi", "h", 8000, false, "/"},
      {"x-y.z+1://h/p", "x-y.z+1", "h", 0, false, "/p"},
      {"http://h:1:2/p", nullptr, nullptr, 0, false, nullptr}, // port "1:2": not a number
      {"http://h:123456/", nullptr, nullptr, 0, false, nullptr},
      {"http://h:65536/", nullptr, nullptr, 0, false, nullptr},
      {"1http://h/", nullptr, nullptr, 0, false, nullptr},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.url);
    const auto u = parse_backend_url(r.url);
    if (!r.scheme) {
      EXPECT_FALSE(u.has_value());
      continue;
    }
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->scheme, r.scheme);
    EXPECT_EQ(u->host, r.host);
    EXPECT_EQ(u->port, r.port);
    EXPECT_EQ(u->port_given, r.port_given);
    EXPECT_EQ(u->request_uri, r.request_uri);
    EXPECT_EQ(u->uds_path, "");
  }
}

// Shapes the in-place path does not take: the general parser's answers.
TEST(BackendUrl, OtherShapesGoThroughTheGeneralParser) {
  const auto user = parse_backend_url("http://u:p@h:81/x");
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->host, "h");
  EXPECT_EQ(user->port, 81);
  EXPECT_EQ(user->request_uri, "/x");

  const auto empty_port = parse_backend_url("http://h:/x");
  ASSERT_TRUE(empty_port.has_value());
  EXPECT_FALSE(empty_port->port_given);
  EXPECT_EQ(empty_port->port, 80);

  const auto fragment = parse_backend_url("http://h/p?q#frag");
  ASSERT_TRUE(fragment.has_value());
  EXPECT_EQ(fragment->request_uri, "/p?q");

  const auto v6 = parse_backend_url("http://[::1]:8080/v");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header(), "[::1]:8080");
}

TEST(BackendUrl, HostHeader) {
  EXPECT_EQ(parse_backend_url("http://127.0.0.1:28411/")->host_header(), "127.0.0.1:28411");
  EXPECT_EQ(parse_backend_url("http://h:80/")->host_header(), "h");
  EXPECT_EQ(parse_backend_url("https://h/")->host_header(), "h");
  EXPECT_EQ(parse_backend_url("https://h:443/")->host_header(), "h:443");
}

// The stack-buffer form gives the same value; a host too long for the buffer goes to the spill string.
TEST(BackendUrl, HostHeaderInBuffer) {
  const std::string long_host(300, 'a');
  for (std::string url : {std::string("http://127.0.0.1:28411/"), std::string("http://h:80/"),
                          std::string("https://h:443/"), std::string("http://[::1]:65535/x"),
                          "http://" + std::string(240, 'b') + ":65535/", "http://" + long_host + ":8080/"}) {
    SCOPED_TRACE(url);
    const auto u = parse_backend_url(url);
    ASSERT_TRUE(u);
    std::array<char, 256> buf;
    std::string spill;
    const std::string_view v = u->host_header(buf, spill);
    EXPECT_EQ(v, u->host_header());
    EXPECT_EQ(v.data() == buf.data(), u->host.size() <= 240);
  }
}

} // namespace
} // namespace balancerd::proxypass
