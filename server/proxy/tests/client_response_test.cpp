// build_client_response skips comparing kept fields with the Connection tokens when every token
// names a field dropped anyway: the output must be what the full comparison gives.
#include "server/proxy/client_response.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace balancerd;
using namespace balancerd::proxy;

namespace {
std::string build(std::vector<Field> f, int status = 200) {
  http::ResponseHead head;
  std::string scratch;
  ClientResponseParams p;
  p.status = status;
  build_client_response(head, p, f, scratch);
  return std::string(head.fields());
}
} // namespace

TEST(ClientResponseTokens, OnlyHopTokensKeepEveryEndToEndField) {
  EXPECT_EQ(build({{"Connection", "keep-alive"}, {"Keep-Alive", "timeout=5"}, {"X-A", "1"}, {"ETag", "e"}}),
            "X-A: 1\r\nETag: e\r\n");
  EXPECT_EQ(build({{"Connection", "Date, TE"}, {"Date", "d"}, {"X-A", "1"}}), "X-A: 1\r\n");
}

TEST(ClientResponseTokens, AnyOtherTokenStillDropsWhatItNames) {
  EXPECT_EQ(build({{"Connection", "keep-alive"}, {"X-A", "1"}, {"Connection", "x-a"}, {"X-B", "2"}}),
            "X-B: 2\r\n");
  EXPECT_EQ(build({{"Connection", "close"}, {"Close", "1"}, {"X-B", "2"}}), "X-B: 2\r\n");
  // On a 101 the Upgrade field is end-to-end: a Connection token naming it still drops it.
  EXPECT_EQ(build({{"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"X-B", "2"}}, 101), "X-B: 2\r\n");
  EXPECT_EQ(build({{"Upgrade", "websocket"}, {"X-B", "2"}}, 101), "Upgrade: websocket\r\nX-B: 2\r\n");
}
