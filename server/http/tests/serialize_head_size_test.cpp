// serialize_head writes into a per-thread scratch array when the head's bound fits, else into the
// output string itself: both paths give the same bytes, appended after what the output held.
#include <gtest/gtest.h>

#include <string>

#include "server/http/response.hpp"

namespace balancerd::http {
namespace {

TEST(SerializeHeadSize, SmallAndOversizedHeadsAppendTheSameBytes) {
  for (std::size_t len : {std::size_t{10}, std::size_t{7900}, std::size_t{8192}, std::size_t{20000}}) {
    ResponseHead h;
    h.status = 200;
    const std::string value(len, 'x');
    h.add("X-Big", value);
    h.content_length = 5;
    HeadFraming f;
    f.date = "Thu, 01 Jan 2026 00:00:00 GMT";
    f.connection = ConnectionToken::Close;
    const std::string head = "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nX-Big: " + value +
                             "\r\nContent-Length: 5\r\nConnection: close\r\n\r\n";
    std::string out = "earlier";
    serialize_head(out, h, f);
    EXPECT_EQ(out, "earlier" + head) << len;
    out.clear();
    serialize_head(out, h, f);
    EXPECT_EQ(out, head) << len;
  }
}

} // namespace
} // namespace balancerd::http
