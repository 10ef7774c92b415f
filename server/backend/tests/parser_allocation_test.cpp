// The head parser and body decoder allocate nothing once their buffers are warm (the request path
// runs them for every proxied response). Counts global operator new calls in this test program.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "server/backend/response_body.hpp"
#include "server/backend/response_parser.hpp"

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

using namespace balancerd::backend;

TEST(ParserAllocation, WarmParserDoesNotAllocate) {
  const std::string a =
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-A: one\r\n two\r\nTransfer-Encoding: chunked\r\n"
      "Connection: keep-alive\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  const std::string b =
      "HTTP/1.1 404 Nope\r\nContent-Type: text/plain\r\nX-B: 1\r\nContent-Length: 3\r\n\r\nabc";
  ResponseParser p;
  ResponseBody body;
  auto run = [&](const std::string& in) {
    p.reset({});
    std::size_t c = 0;
    // Two pieces, so the partial-line buffer is used too.
    std::size_t half = in.size() / 3;
    auto r = p.parse(std::span<const char>(in.data(), half), c);
    std::size_t used = c;
    if (r == ResponseParser::Result::NeedMore) {
      r = p.parse(std::span<const char>(in.data() + half, in.size() - half), c);
      used = half + c;
    }
    EXPECT_EQ(r, ResponseParser::Result::Final);
    body.reset(p.framing(), p.content_length());
    std::span<const char> rest(in.data() + used, in.size() - used);
    while (!body.done()) {
      auto s = body.step(rest);
      rest = rest.subspan(s.consumed);
      if (s.status == ResponseBody::Status::Error || s.status == ResponseBody::Status::NeedMore) break;
    }
    EXPECT_TRUE(body.done());
  };
  run(a);
  run(b);
  run(a);
  const long before = allocations.load();
  for (int i = 0; i < 10; ++i) {
    run(a);
    run(b);
  }
  EXPECT_EQ(allocations.load() - before, 0);
}
