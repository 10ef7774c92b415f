// The backend head is written into a per-thread scratch array when its bound fits, else into the
// output string itself: both paths must give the same bytes, appended after what the output held.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/proxy/backend_request.hpp"

namespace balancerd::proxy {
namespace {

BackendRequestParams params() {
  BackendRequestParams p;
  p.method = "GET";
  p.path_query = "/a?b";
  p.host = "backend:8080";
  p.add_forwarded = true;
  p.client_ip = "10.0.0.1";
  p.server_hostname = "front";
  return p;
}

std::string expected(const std::string& prefix, const std::string& value) {
  return prefix + "GET /a?b HTTP/1.1\r\nHost: backend:8080\r\nX-Big: " + value +
         "\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Host: client\r\nX-Forwarded-Server: front\r\n"
         "Connection: Keep-Alive\r\n\r\n";
}

TEST(BackendHeadSize, SmallAndOversizedHeadsAppendTheSameBytes) {
  for (std::size_t len : {std::size_t{10}, std::size_t{8000}, std::size_t{8192}, std::size_t{20000}}) {
    const std::string value(len, 'v');
    const std::vector<Field> fields = {{"Host", "client"}, {"X-Big", value}};
    std::string out = "earlier";
    build_backend_request(out, params(), fields);
    EXPECT_EQ(out, expected("earlier", value)) << len;
    // Again into the same string: the scratch holds nothing of the previous head.
    out.clear();
    build_backend_request(out, params(), fields);
    EXPECT_EQ(out, expected("", value)) << len;
  }
}

} // namespace
} // namespace balancerd::proxy
