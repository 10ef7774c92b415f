#include "server/backend/backend_connection.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <thread>

#include "server/backend/tests/io_test_support.hpp"
#include "server/backend/tests/test_backend.hpp"
#include "server/net/buffer_pool.hpp"

using namespace balancerd::backend;
using namespace balancerd::backend::testing;
using namespace std::chrono_literals;

namespace {

ConnectOptions quick(std::chrono::milliseconds connect = 200ms, std::chrono::milliseconds io = 200ms) {
  ConnectOptions o;
  o.connect_timeout = connect;
  o.io_timeout = io;
  return o;
}

struct Outcome {
  bool done = false;
  BackendError err = BackendError::None;
};

BackendError connect_sync(boost::asio::io_context& io, BackendConnection& c,
                          std::span<const ResolvedAddress> a, ConnectOptions o) {
  Outcome out;
  c.connect(a, o, [&](BackendError e) {
    out.done = true;
    out.err = e;
  });
  EXPECT_TRUE(run_until(io, [&] { return out.done; }));
  return out.err;
}

std::string exchange(boost::asio::io_context& io, BackendConnection& c, BackendError& err) {
  Outcome w;
  c.write(std::span<const char>(kRequest.data(), kRequest.size()), [&](BackendError e, std::size_t) {
    w.done = true;
    w.err = e;
  });
  EXPECT_TRUE(run_until(io, [&] { return w.done; }));
  err = w.err;
  if (err != BackendError::None) return {};
  std::string got;
  Outcome r;
  std::function<void()> more = [&] {
    c.read_some([&](BackendError e, std::span<const char> d) {
      if (e != BackendError::None) {
        r.done = true;
        r.err = e;
        return;
      }
      got.append(d.data(), d.size());
      if (got.size() >= kOk.size()) {
        r.done = true;
        return;
      }
      more();
    });
  };
  more();
  EXPECT_TRUE(run_until(io, [&] { return r.done; }));
  err = r.err;
  return got;
}

// One read_some run to its end: its error and how long it took (the timeout tests).
struct TimedRead {
  BackendError err = BackendError::None;
  std::chrono::steady_clock::duration took{};
};

TimedRead timed_read(boost::asio::io_context& io, BackendConnection& c) {
  Outcome r;
  const auto start = std::chrono::steady_clock::now();
  c.read_some([&](BackendError e, std::span<const char>) {
    r.done = true;
    r.err = e;
  });
  EXPECT_TRUE(run_until(io, [&] { return r.done; }));
  return {r.err, std::chrono::steady_clock::now() - start};
}

} // namespace

TEST(BackendConnection, WriteAndReadRoundTrip) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  auto addrs = resolve(loopback(be.port()));
  ASSERT_EQ(connect_sync(io, c, addrs, quick()), BackendError::None);
  EXPECT_TRUE(c.is_open());
  EXPECT_FALSE(c.reused());
  BackendError err;
  EXPECT_EQ(exchange(io, c, err), kOk);
  EXPECT_EQ(err, BackendError::None);
  EXPECT_EQ(c.bytes_written(), kRequest.size());
  EXPECT_EQ(c.bytes_read(), kOk.size());
  EXPECT_EQ(c.peer_address().to_string(), "127.0.0.1:" + std::to_string(be.port()));
}

TEST(BackendConnection, GatheredWriteSendsPiecesInOrder) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  auto addrs = resolve(loopback(be.port()));
  ASSERT_EQ(connect_sync(io, c, addrs, quick()), BackendError::None);
  std::string a = "GET / HTTP/1.1\r\n", b = "Host: x\r\n", e = "\r\n";
  std::span<const char> pieces[] = {{a.data(), a.size()}, {b.data(), b.size()}, {e.data(), e.size()}};
  Outcome w;
  c.write(pieces, [&](BackendError err, std::size_t n) {
    w.done = true;
    w.err = err;
    EXPECT_EQ(n, a.size() + b.size() + e.size());
  });
  ASSERT_TRUE(run_until(io, [&] { return w.done; }));
  EXPECT_EQ(w.err, BackendError::None);
  // The backend answers only once it saw the whole head, in order.
  ASSERT_TRUE(run_until(io, [&] { return be.requests() == 1; }));
}

// A request head with a 4 MiB field: more than the socket buffers take at once.
struct PaddedHead {
  std::string head = "GET / HTTP/1.1\r\nX-Pad: ";
  std::string pad = std::string(4 << 20, 'p');
  std::string end = "\r\n\r\n";
  std::span<const char> pieces[3] = {
      {head.data(), head.size()}, {pad.data(), pad.size()}, {end.data(), end.size()}};
  std::size_t size() const { return head.size() + pad.size() + end.size(); }
};

// A write bigger than the socket buffers goes out in many sends (each send's operation lives in the
// connection's operation memory, freed before the next is made); the next writes reuse that memory.
TEST(BackendConnection, LargeWriteInManySendsThenMoreWrites) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick(200ms, 5000ms)), BackendError::None);
  const PaddedHead big;
  Outcome w;
  std::size_t written = 0;
  c.write(big.pieces, [&](BackendError err, std::size_t n) {
    w.done = true;
    w.err = err;
    written = n;
  });
  ASSERT_TRUE(run_until(io, [&] { return w.done; }));
  EXPECT_EQ(w.err, BackendError::None);
  EXPECT_EQ(written, big.size());
  ASSERT_TRUE(run_until(io, [&] { return be.requests() == 1; }));
  for (int i = 0; i < 3; ++i) {
    std::string got;
    std::function<void()> more = [&] {
      c.read_some([&](BackendError e, std::span<const char> d) {
        ASSERT_EQ(e, BackendError::None);
        got.append(d.data(), d.size());
        if (got.size() < kOk.size()) more();
      });
    };
    more();
    ASSERT_TRUE(run_until(io, [&] { return got.size() >= kOk.size(); }));
    EXPECT_EQ(got, kOk);
    if (i == 2) break;
    Outcome w2;
    c.write(std::span<const char>(kRequest.data(), kRequest.size()), [&](BackendError e, std::size_t) {
      w2.done = true;
      w2.err = e;
    });
    ASSERT_TRUE(run_until(io, [&] { return w2.done; }));
    EXPECT_EQ(w2.err, BackendError::None);
  }
  EXPECT_EQ(c.bytes_written(), big.size() + 2 * kRequest.size());
}

TEST(BackendConnection, RefusedWhenNothingListens) {
  ClosedPort closed;
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  auto addrs = resolve(loopback(closed.port()));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(connect_sync(io, c, addrs, quick(2000ms)), BackendError::Refused);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1000ms);
  EXPECT_TRUE(is_connect_error(BackendError::Refused));
}

TEST(BackendConnection, ConnectTimeoutOnBlackhole) {
  Blackhole hole;
  ASSERT_TRUE(hole.full()) << "could not fill the accept queue";
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  auto addrs = resolve(loopback(hole.port()));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(connect_sync(io, c, addrs, quick(100ms)), BackendError::ConnectTimeout);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 90ms);
  EXPECT_LT(took, 1000ms);
}

TEST(BackendConnection, TriesNextAddressAfterFailure) {
  ClosedPort closed;
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  auto addrs = resolve(loopback(closed.port()));
  auto good = resolve(loopback(be.port()));
  addrs.push_back(good[0]);
  ASSERT_EQ(connect_sync(io, c, addrs, quick()), BackendError::None);
  EXPECT_EQ(c.peer_address().to_string(), "127.0.0.1:" + std::to_string(be.port()));
  ASSERT_TRUE(run_until(io, [&] { return be.accepted() == 1; }));
}

TEST(BackendConnection, ReadTimeoutWhenBackendIsSilent) {
  TestBackend be(kOk, TestBackend::Mode::Silent);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  auto addrs = resolve(loopback(be.port()));
  ASSERT_EQ(connect_sync(io, c, addrs, quick(200ms, 100ms)), BackendError::None);
  auto t0 = std::chrono::steady_clock::now();
  BackendError err;
  exchange(io, c, err);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(err, BackendError::Timeout);
  EXPECT_GE(took, 90ms);
  EXPECT_LT(took, 1000ms);
  EXPECT_EQ(be.requests(), 1);
}

// A read's timeout never ends before its time, whatever the timeout (a deadline taken from a
// cheaper clock, such as the kernel's coarse one, ended up to 5 ms early here: that clock may lag
// more than its resolution).
TEST(BackendConnection, ReadTimeoutNeverEndsBeforeItsTime) {
  TestBackend be(kOk, TestBackend::Mode::Silent);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick(200ms, 5000ms)), BackendError::None);
  for (int i = 0; i < 6; ++i) {
    c.set_io_timeout(std::chrono::milliseconds(20 + 3 * i)); // starts at different points of a tick
    const auto r = timed_read(io, c);
    EXPECT_EQ(r.err, BackendError::Timeout);
    EXPECT_GE(r.took, std::chrono::milliseconds(20 + 3 * i)) << i;
    EXPECT_LT(r.took, 1000ms);
  }
}

TEST(BackendConnection, EofWhenBackendCloses) {
  TestBackend be("", TestBackend::Mode::CloseAfter);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  auto addrs = resolve(loopback(be.port()));
  ASSERT_EQ(connect_sync(io, c, addrs, quick()), BackendError::None);
  BackendError err;
  EXPECT_EQ(exchange(io, c, err), "");
  EXPECT_EQ(err, BackendError::Eof);
}

TEST(BackendConnection, PeerClosedSeesIdleClose) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  auto addrs = resolve(loopback(be.port()));
  ASSERT_EQ(connect_sync(io, c, addrs, quick()), BackendError::None);
  ASSERT_TRUE(run_until(io, [&] { return be.open_connections() == 1; }));
  EXPECT_FALSE(c.peer_closed());
  be.close_all();
  EXPECT_TRUE(run_until(io, [&] { return c.peer_closed(); }));
  c.close();
  EXPECT_FALSE(c.is_open());
  EXPECT_TRUE(c.peer_closed());
}

TEST(BackendConnection, PeerClosedSeesUnsolicitedBytes) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  auto addrs = resolve(loopback(be.port()));
  ASSERT_EQ(connect_sync(io, c, addrs, quick()), BackendError::None);
  // Write a request but do not read the answer: the idle connection holds bytes nobody asked for.
  Outcome w;
  c.write(std::span<const char>(kRequest.data(), kRequest.size()),
          [&](BackendError, std::size_t) { w.done = true; });
  ASSERT_TRUE(run_until(io, [&] { return w.done; }));
  EXPECT_TRUE(run_until(io, [&] { return c.peer_closed(); }));
}

TEST(BackendConnection, WatchedIdleConnectionSeesCloseWithoutSocketCheck) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick()), BackendError::None);
  BackendError err;
  ASSERT_EQ(exchange(io, c, err), kOk);
  c.watch_idle();
  run_for(io, 20ms);
  EXPECT_FALSE(c.peer_closed(false));
  EXPECT_FALSE(c.peer_closed(true));
  be.close_all();
  // Only the reactor's view is asked: it must see the close by itself.
  EXPECT_TRUE(run_until(io, [&] { return c.peer_closed(false); }));
}

TEST(BackendConnection, WatchedIdleConnectionSeesUnsolicitedBytes) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick()), BackendError::None);
  Outcome w;
  c.write(std::span<const char>(kRequest.data(), kRequest.size()),
          [&](BackendError, std::size_t) { w.done = true; });
  ASSERT_TRUE(run_until(io, [&] { return w.done; }));
  c.watch_idle(); // the answer arrives while nobody reads: the connection cannot be reused
  EXPECT_TRUE(run_until(io, [&] { return c.peer_closed(false); }));
}

TEST(BackendConnection, ReadTakesOverTheIdleWatch) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick()), BackendError::None);
  BackendError err;
  for (int i = 0; i < 3; ++i) {
    c.watch_idle();
    run_for(io, 5ms);
    ASSERT_FALSE(c.peer_closed(false));
    EXPECT_EQ(exchange(io, c, err), kOk) << i;
    EXPECT_EQ(err, BackendError::None);
  }
  EXPECT_EQ(be.accepted(), 1);
}

TEST(BackendConnection, AnswerReadBeforeAskedIsDeliveredLater) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick()), BackendError::None);
  c.watch_idle();
  Outcome w;
  c.write(std::span<const char>(kRequest.data(), kRequest.size()),
          [&](BackendError, std::size_t) { w.done = true; });
  ASSERT_TRUE(run_until(io, [&] { return w.done; }));
  run_for(io, 20ms); // the answer is read by the watch, before read_some asks for it
  std::string got;
  Outcome r;
  c.read_some([&](BackendError e, std::span<const char> d) {
    r.done = true;
    r.err = e;
    got.assign(d.data(), d.size());
  });
  EXPECT_FALSE(r.done); // never called back from inside read_some
  ASSERT_TRUE(run_until(io, [&] { return r.done; }));
  EXPECT_EQ(r.err, BackendError::None);
  EXPECT_EQ(got, kOk);
}

TEST(BackendConnection, TimeoutStillFiresAfterManyOperations) {
  // The io timeout is a deadline checked by one long-running timer wait: a read started after many
  // quick exchanges must still time out at its own deadline.
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick(200ms, 150ms)), BackendError::None);
  BackendError err;
  for (int i = 0; i < 5; ++i) ASSERT_EQ(exchange(io, c, err), kOk);
  const auto r = timed_read(io, c);
  EXPECT_EQ(r.err, BackendError::Timeout);
  EXPECT_GE(r.took, 140ms);
  EXPECT_LT(r.took, 1000ms);
}

TEST(BackendConnection, UnixSocket) {
  auto path = temp_socket_path("conn");
  TestBackend be(kOk, TestBackend::Mode::KeepAlive, path);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  BackendEndpoint ep = *BackendEndpoint::from_url("unix:" + path + "|http://localhost/");
  auto addrs = resolve(ep);
  ASSERT_EQ(addrs.size(), 1u);
  EXPECT_EQ(addrs[0].to_string(), path);
  ASSERT_EQ(connect_sync(io, c, addrs, quick()), BackendError::None);
  BackendError err;
  EXPECT_EQ(exchange(io, c, err), kOk);
  EXPECT_EQ(err, BackendError::None);
}

TEST(BackendConnection, UnixSocketMissingIsRefused) {
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  BackendEndpoint ep = *BackendEndpoint::from_url("unix:/tmp/bd-backend-test-no-such.sock|http://localhost/");
  EXPECT_EQ(connect_sync(io, c, resolve(ep), quick()), BackendError::Refused);
}

TEST(BackendConnection, CloseAbortsPendingRead) {
  TestBackend be(kOk, TestBackend::Mode::Silent);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick(200ms, 5000ms)), BackendError::None);
  Outcome r;
  c.read_some([&](BackendError e, std::span<const char>) {
    r.done = true;
    r.err = e;
  });
  run_for(io, 20ms);
  EXPECT_FALSE(r.done);
  c.close();
  ASSERT_TRUE(run_until(io, [&] { return r.done; }));
  EXPECT_EQ(r.err, BackendError::Aborted);
}

TEST(BackendConnection, DestroyedWithPendingReadDropsCallback) {
  TestBackend be(kOk, TestBackend::Mode::Silent);
  boost::asio::io_context io;
  bool called = false;
  {
    auto c = std::make_unique<BackendConnection>(io, 8192);
    ASSERT_EQ(connect_sync(io, *c, resolve(loopback(be.port())), quick(200ms, 5000ms)), BackendError::None);
    c->read_some([&](BackendError, std::span<const char>) { called = true; });
    run_for(io, 10ms);
  }
  run_for(io, 30ms);
  EXPECT_FALSE(called);
}

TEST(BackendConnection, UniqueIds) {
  boost::asio::io_context io;
  BackendConnection a(io, 512), b(io, 512);
  EXPECT_NE(a.id(), b.id());
  EXPECT_FALSE(a.is_open());
}

// The read buffer comes from the thread's pool when the response's bytes arrive and goes back when
// the connection goes idle: a connection waiting for its backend or idle in a pool holds none, and
// the next response is read into the buffer given back last (still hot in the cache).
TEST(BackendConnection, ReadBufferIsBorrowedOnlyWhileAResponseIsRead) {
  auto& pool = balancerd::net::BufferPool::local();
  pool.trim();
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick()), BackendError::None);
  EXPECT_EQ(pool.idle_common(), 0u);
  const char* first = nullptr;
  for (int i = 0; i < 3; ++i) {
    Outcome w;
    c.write(std::span<const char>(kRequest.data(), kRequest.size()),
            [&](BackendError, std::size_t) { w.done = true; });
    ASSERT_TRUE(run_until(io, [&] { return w.done; }));
    Outcome r;
    const char* at = nullptr;
    std::string got;
    c.read_some([&](BackendError e, std::span<const char> d) {
      r.done = true;
      r.err = e;
      at = d.data();
      got.assign(d.data(), d.size());
    });
    ASSERT_TRUE(run_until(io, [&] { return r.done; }));
    ASSERT_EQ(r.err, BackendError::None);
    EXPECT_EQ(got, kOk);
    EXPECT_EQ(pool.idle_common(), 0u) << i; // lent while the response is read
    if (i == 0) first = at;
    EXPECT_EQ(at, first) << i; // the one given back last
    c.watch_idle();
    EXPECT_EQ(pool.idle_common(), 1u) << i; // back as the connection goes idle
    run_for(io, 5ms);
    EXPECT_EQ(pool.idle_common(), 1u) << i; // the idle watch holds none
    ASSERT_FALSE(c.peer_closed(false));
  }
  pool.trim();
}

TEST(BackendConnection, WaitingForTheResponseHoldsNoBuffer) {
  auto& pool = balancerd::net::BufferPool::local();
  pool.trim();
  balancerd::net::borrow_io_buffer(balancerd::net::BufferPool::kCommonSize).reset();
  ASSERT_EQ(pool.idle_common(), 1u);
  TestBackend be(kOk, TestBackend::Mode::Silent);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick(200ms, 2000ms)), BackendError::None);
  Outcome w;
  c.write(std::span<const char>(kRequest.data(), kRequest.size()),
          [&](BackendError, std::size_t) { w.done = true; });
  ASSERT_TRUE(run_until(io, [&] { return w.done; }));
  bool called = false;
  c.read_some([&](BackendError, std::span<const char>) { called = true; });
  run_for(io, 20ms);
  EXPECT_FALSE(called);
  EXPECT_EQ(pool.idle_common(), 1u);
  c.close();
  ASSERT_TRUE(run_until(io, [&] { return called; }));
  EXPECT_EQ(pool.idle_common(), 1u);
  pool.trim();
}

// ProxyIOBufferSize other than 8 KB: reads take at most that many bytes, in a buffer of that size
// from the pool's other-size list.
TEST(BackendConnection, OtherBufferSizesComeFromThePoolToo) {
  auto& pool = balancerd::net::BufferPool::local();
  pool.trim();
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 10);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick()), BackendError::None);
  BackendError err;
  std::string got = exchange(io, c, err);
  EXPECT_EQ(err, BackendError::None);
  EXPECT_EQ(got, kOk);
  c.watch_idle();
  EXPECT_EQ(pool.idle_other(), 1u);
  EXPECT_EQ(pool.idle_common(), 0u);
  pool.trim();
}

namespace {

// A raw loopback listener that accepts one connection and collects every byte it receives.
struct Sink {
  std::uint16_t port = 0;
  int lfd = -1;
  int fd = -1;
  Sink() {
    lfd = bind_loopback(port);
    ::listen(lfd, 4);
  }
  ~Sink() {
    if (fd >= 0) ::close(fd);
    ::close(lfd);
  }
  void accept_one() { fd = ::accept(lfd, nullptr, nullptr); }
  // Reads until `n` bytes arrived or the peer closed (bounded by the socket's 5 s timeout).
  std::string read(std::size_t n) {
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string got;
    char buf[65536];
    while (got.size() < n) {
      const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
      if (r <= 0) break;
      got.append(buf, static_cast<std::size_t>(r));
    }
    return got;
  }
};

} // namespace

// A write is one sendmsg at once when the socket takes it; the rest of one it does not take goes out
// asynchronously from where the first send stopped. Either way the callback runs from the io loop,
// never inside write(), with the whole size, and the bytes arrive whole and in order.
TEST(BackendConnection, WritesArriveWholeAndCompleteOutsideWrite) {
  Sink sink;
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(sink.port)), quick(200ms, 5000ms)), BackendError::None);
  sink.accept_one();
  std::string big(3 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7 + i / 4093) % 26);
  const std::string a = "small head\r\n", b = "tail";
  std::string expect;
  for (int round = 0; round < 2; ++round) {
    const bool large = round == 1;
    std::span<const char> pieces[] = {{a.data(), a.size()},
                                      large ? std::span<const char>(big.data(), big.size())
                                            : std::span<const char>(b.data(), b.size()),
                                      {b.data(), b.size()}};
    const std::size_t total = a.size() + pieces[1].size() + b.size();
    expect.append(a).append(pieces[1].data(), pieces[1].size()).append(b);
    Outcome w;
    std::size_t written = 0;
    bool inside = true;
    c.write(pieces, [&](BackendError e, std::size_t n) {
      EXPECT_FALSE(inside);
      w.done = true;
      w.err = e;
      written = n;
    });
    inside = false;
    EXPECT_FALSE(w.done);
    std::string got;
    std::thread reader([&] { got = sink.read(total); });
    ASSERT_TRUE(run_until(io, [&] { return w.done; }));
    reader.join();
    EXPECT_EQ(w.err, BackendError::None);
    EXPECT_EQ(written, total);
    EXPECT_TRUE(got == std::string_view(expect).substr(expect.size() - total)) << round;
  }
  EXPECT_EQ(c.bytes_written(), expect.size());
}

TEST(BackendConnection, WriteToAClosedPeerFails) {
  Sink sink;
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(sink.port)), quick(200ms, 1000ms)), BackendError::None);
  sink.accept_one();
  linger lg{1, 0}; // close with a reset
  ::setsockopt(sink.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(sink.fd);
  sink.fd = -1;
  run_for(io, 20ms);
  Outcome w;
  c.write(std::span<const char>(kRequest.data(), kRequest.size()), [&](BackendError e, std::size_t) {
    w.done = true;
    w.err = e;
  });
  EXPECT_FALSE(w.done);
  ASSERT_TRUE(run_until(io, [&] { return w.done; }));
  EXPECT_EQ(w.err, BackendError::Reset);
}

// write_inline: a write the socket takes at once completes before the call returns (write() posts
// it), with the bytes counted; the backend then gets the request as usual.
TEST(BackendConnection, WriteInlineCompletesBeforeReturning) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(be.port())), quick()), BackendError::None);
  std::span<const char> piece(kRequest.data(), kRequest.size());
  Outcome w;
  std::size_t written = 0;
  c.write_inline(std::span(&piece, 1), [&](BackendError e, std::size_t n) {
    w.done = true;
    w.err = e;
    written = n;
  });
  EXPECT_TRUE(w.done);
  EXPECT_EQ(w.err, BackendError::None);
  EXPECT_EQ(written, kRequest.size());
  EXPECT_EQ(c.bytes_written(), kRequest.size());
  ASSERT_TRUE(run_until(io, [&] { return be.requests() == 1; }));
  // The plain write still never calls back inside the call.
  Outcome w2;
  c.write(piece, [&](BackendError, std::size_t) { w2.done = true; });
  EXPECT_FALSE(w2.done);
  ASSERT_TRUE(run_until(io, [&] { return w2.done; }));
}

// The inline callback may destroy the connection (a request that ends at once): nothing of it is
// touched afterwards (ASan reports it otherwise).
TEST(BackendConnection, WriteInlineCallbackMayDestroyTheConnection) {
  TestBackend be(kOk);
  boost::asio::io_context io;
  auto c = std::make_unique<BackendConnection>(io, 8192);
  ASSERT_EQ(connect_sync(io, *c, resolve(loopback(be.port())), quick()), BackendError::None);
  std::span<const char> piece(kRequest.data(), kRequest.size());
  bool called = false;
  c->write_inline(std::span(&piece, 1), [&](BackendError e, std::size_t) {
    called = true;
    EXPECT_EQ(e, BackendError::None);
    c.reset();
  });
  EXPECT_TRUE(called);
  EXPECT_EQ(c, nullptr);
  io.run_for(20ms); // nothing left behind calls back
}

// A write the socket cannot take at once completes later, from the reactor, as write() does. The peer
// reads nothing until the write has returned: a reading peer (and loopback's TCP metrics from earlier
// connections) can let the kernel take all 4 MiB in one sendmsg.
TEST(BackendConnection, WriteInlineOfMoreThanTheSocketTakesCompletesLater) {
  Sink sink;
  boost::asio::io_context io;
  BackendConnection c(io, 8192);
  ASSERT_EQ(connect_sync(io, c, resolve(loopback(sink.port)), quick(200ms, 5000ms)), BackendError::None);
  sink.accept_one();
  const PaddedHead big;
  Outcome w;
  std::size_t written = 0;
  c.write_inline(big.pieces, [&](BackendError err, std::size_t n) {
    w.done = true;
    w.err = err;
    written = n;
  });
  EXPECT_FALSE(w.done);
  std::string got;
  std::thread reader([&] { got = sink.read(big.size()); });
  ASSERT_TRUE(run_until(io, [&] { return w.done; }));
  reader.join();
  EXPECT_EQ(w.err, BackendError::None);
  EXPECT_EQ(written, big.size());
  EXPECT_EQ(got.size(), big.size());
  EXPECT_EQ(c.bytes_written(), written);
}
