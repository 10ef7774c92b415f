#include "server/backend/body_relay.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "server/backend/backend_connection.hpp"
#include "server/backend/tests/io_test_support.hpp"
#include "server/backend/tests/test_backend.hpp"

using namespace balancerd;
using namespace balancerd::backend;
using namespace balancerd::backend::testing;
using namespace std::chrono_literals;

namespace {

// An exchange that records the response body and completes each write later on the io_context,
// checking that the relay never starts a write while one is in flight.
class RecordingExchange final : public net::Exchange {
public:
  explicit RecordingExchange(boost::asio::io_context& io) : io_(io) {}
  const http::Request& request() const override { return req_; }
  const net::PeerInfo& peer() const override { return peer_; }
  void set_body_limit(std::uint64_t) override {}
  void read_body(net::BodyCallback) override {}
  http::ResponseHead& response() override { return head_; }
  void write(std::span<const char> data, bool last, net::WriteCallback done) override {
    EXPECT_FALSE(in_flight) << "write while the previous one is in flight";
    EXPECT_FALSE(ended) << "write after the last one";
    in_flight = true;
    ++writes;
    // The data must stay valid until done runs: copy it only then.
    boost::asio::post(io_, [this, data, last, done = std::move(done)] {
      in_flight = false;
      body.append(data.data(), data.size());
      if (last) ended = true;
      if (done) done(!fail_writes);
    });
  }
  void send_error(int, const http::ErrorPageInfo&, std::string_view) override {}
  bool head_sent() const override { return writes > 0; }

  std::string body;
  bool in_flight = false;
  bool ended = false;
  bool fail_writes = false;
  int writes = 0;

private:
  boost::asio::io_context& io_;
  http::Request req_;
  net::PeerInfo peer_;
  http::ResponseHead head_;
};

// Connects to a backend that sends `payload` at once after the request and relays it.
struct RelayRun {
  RelayResult result;
  std::string body;
  bool ended = false;
};

RelayRun relay(const std::string& payload, BodyFraming framing, std::uint64_t length,
               std::string_view prefix = {}, std::size_t buffer = 16,
               TestBackend::Mode mode = TestBackend::Mode::KeepAlive, bool fail_writes = false) {
  TestBackend be(payload, mode);
  boost::asio::io_context io;
  BackendConnection conn(io, buffer); // a small buffer: many reads and writes
  auto addrs = resolve(loopback(be.port()));
  bool connected = false;
  ConnectOptions opt;
  opt.connect_timeout = 500ms;
  opt.io_timeout = 100ms;
  conn.connect(addrs, opt, [&](BackendError e) {
    EXPECT_EQ(e, BackendError::None);
    connected = true;
  });
  EXPECT_TRUE(run_until(io, [&] { return connected; }));
  bool wrote = false;
  conn.write(std::span<const char>(kRequest.data(), kRequest.size()),
             [&](BackendError, std::size_t) { wrote = true; });
  EXPECT_TRUE(run_until(io, [&] { return wrote; }));

  RecordingExchange ex(io);
  ex.fail_writes = fail_writes;
  ResponseBody body;
  body.reset(framing, length);
  BodyRelay r;
  RelayRun out;
  bool done = false;
  r.start(conn, body, std::span<const char>(prefix.data(), prefix.size()), {}, ex,
          [&](const RelayResult& res) {
            out.result = res;
            done = true;
          });
  EXPECT_TRUE(run_until(io, [&] { return done; }));
  out.body = ex.body;
  out.ended = ex.ended;
  return out;
}

} // namespace

TEST(BodyRelay, ContentLengthInSmallPieces) {
  std::string payload(100, 'x');
  payload += "0123456789";
  auto r = relay(payload, BodyFraming::Length, payload.size());
  EXPECT_TRUE(r.result.complete);
  EXPECT_TRUE(r.result.reusable);
  EXPECT_EQ(r.result.bytes, payload.size());
  EXPECT_EQ(r.body, payload);
  EXPECT_TRUE(r.ended);
}

TEST(BodyRelay, ChunkedBodyDecoded) {
  const std::string payload = "5;ext=1\r\nhello\r\n10\r\n, a longer chunk\r\n0\r\nTrailer: x\r\n\r\n";
  auto r = relay(payload, BodyFraming::Chunked, 0);
  EXPECT_TRUE(r.result.complete);
  EXPECT_TRUE(r.result.reusable);
  EXPECT_EQ(r.body, "hello, a longer chunk");
  EXPECT_TRUE(r.ended);
}

TEST(BodyRelay, UntilCloseWithPrefix) {
  auto r = relay("the rest", BodyFraming::UntilClose, 0, "first line", 16, TestBackend::Mode::CloseAfter);
  EXPECT_TRUE(r.result.complete);
  EXPECT_FALSE(r.result.reusable);
  EXPECT_EQ(r.body, "first linethe rest");
  EXPECT_TRUE(r.ended);
}

TEST(BodyRelay, TruncatedBodyIsReported) {
  auto r = relay("short", BodyFraming::Length, 100, {}, 16, TestBackend::Mode::CloseAfter);
  EXPECT_FALSE(r.result.complete);
  EXPECT_TRUE(r.result.body_error);
  EXPECT_EQ(r.result.backend, BackendError::Eof);
  EXPECT_FALSE(r.result.reusable);
  EXPECT_EQ(r.body, "short");
  EXPECT_FALSE(r.ended); // the engine decides how the client learns it
}

TEST(BodyRelay, BadChunkingIsReported) {
  auto r = relay("zz\r\n", BodyFraming::Chunked, 0);
  EXPECT_FALSE(r.result.complete);
  EXPECT_TRUE(r.result.body_error);
  EXPECT_FALSE(r.ended);
}

TEST(BodyRelay, StrayBytesAfterBodyMakeItNotReusable) {
  auto r = relay("helloEXTRA", BodyFraming::Length, 5, {}, 64);
  EXPECT_TRUE(r.result.complete);
  EXPECT_FALSE(r.result.reusable);
  EXPECT_EQ(r.body, "hello");
}

TEST(BodyRelay, ClientWriteFailureStops) {
  auto r = relay(std::string(200, 'y'), BodyFraming::Length, 200, {}, 16, TestBackend::Mode::KeepAlive, true);
  EXPECT_FALSE(r.result.complete);
  EXPECT_TRUE(r.result.client_failed);
  EXPECT_FALSE(r.result.reusable);
  EXPECT_EQ(r.body.size(), 16u); // stopped after the first piece
}

TEST(BodyRelay, ReadTimeoutMidBody) {
  // A backend that sends part of the body and then nothing (the request is answered once, kept open).
  auto r = relay("partial", BodyFraming::Length, 100, {}, 16, TestBackend::Mode::KeepAlive);
  EXPECT_FALSE(r.result.complete);
  EXPECT_EQ(r.result.backend, BackendError::Timeout);
  EXPECT_FALSE(r.result.body_error);
  EXPECT_EQ(r.body, "partial");
}
