#include "server/backend/backend_tls.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "directives/model/ssl_conf.hpp"
#include "server/backend/backend_pool.hpp"
#include "server/backend/backend_pools.hpp"
#include "server/backend/tests/io_test_support.hpp"
#include "server/backend/tests/tls_test_backend.hpp"

using namespace balancerd;
using namespace balancerd::backend;
using namespace balancerd::backend::testing;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<const BackendTlsContext> context(const BackendTlsOptions& o) {
  std::string error;
  auto ctx = BackendTlsContext::create(o, error);
  EXPECT_TRUE(ctx) << error;
  return ctx;
}

// An https pool for 127.0.0.1:port whose certificate checks use `host` as the backend's name.
std::shared_ptr<BackendPool> https_pool(boost::asio::io_context& io, std::uint16_t port, std::string host,
                                        std::shared_ptr<const BackendTlsContext> tls) {
  BackendEndpoint ep;
  ep.scheme = BackendScheme::Https;
  ep.host = std::move(host);
  ep.port = port;
  BackendSettings s;
  s.connect_timeout = 1000ms;
  s.io_timeout = 1000ms;
  s.tls = std::move(tls);
  return BackendPool::create(io, ep, s);
}

struct Result {
  bool done = false;
  BackendError err = BackendError::None;
  BackendLease lease;
};

Result acquire(boost::asio::io_context& io, BackendPool& pool) {
  Result r;
  pool.acquire([&](BackendError e, BackendLease l) {
    r.done = true;
    r.err = e;
    r.lease = std::move(l);
  });
  EXPECT_TRUE(run_until(io, [&] { return r.done; }));
  return r;
}

std::string round_trip(boost::asio::io_context& io, BackendLease& lease) {
  bool wrote = false, read = false;
  std::string got;
  lease->write(std::span<const char>(kRequest.data(), kRequest.size()), [&](BackendError e, std::size_t) {
    EXPECT_EQ(e, BackendError::None);
    wrote = true;
  });
  EXPECT_TRUE(run_until(io, [&] { return wrote; }));
  std::function<void()> more = [&] {
    lease->read_some([&](BackendError e, std::span<const char> d) {
      if (e != BackendError::None) {
        read = true;
        return;
      }
      got.append(d.data(), d.size());
      if (got.size() < kOk.size()) return more();
      read = true;
    });
  };
  more();
  EXPECT_TRUE(run_until(io, [&] { return read; }));
  return got;
}

// localhost resolves to 127.0.0.1 (and maybe ::1, tried after it fails): the test backend listens on
// 127.0.0.1 only, so name checks use "localhost" through an endpoint that resolves there.
constexpr const char* kName = "localhost";

} // namespace

TEST(BackendTls, RoundTripAndReuseOverTls) {
  TlsTestBackend be(kOk);
  boost::asio::io_context io;
  auto pool = https_pool(io, be.port(), kName, context({}));
  for (int i = 0; i < 3; ++i) {
    auto r = acquire(io, *pool);
    ASSERT_EQ(r.err, BackendError::None) << backend_error_name(r.err);
    EXPECT_EQ(round_trip(io, r.lease), kOk);
    r.lease.release(true);
  }
  EXPECT_EQ(be.handshakes(), 1);
  EXPECT_EQ(be.requests(), 3);
  EXPECT_EQ(pool->counters().reused, 2u);
}

TEST(BackendTls, PeerNameCheckedEvenWithoutVerify) {
  TlsTestBackend be(kOk);
  boost::asio::io_context io;
  // The certificate names localhost, not 127.0.0.1 (SSLProxyCheckPeerName On by default).
  auto pool = https_pool(io, be.port(), "127.0.0.1", context({}));
  EXPECT_EQ(acquire(io, *pool).err, BackendError::Tls);
  EXPECT_FALSE(is_connect_error(BackendError::Tls));
  BackendTlsOptions off;
  off.check_peer_name = false;
  pool = https_pool(io, be.port(), "127.0.0.1", context(off));
  auto r = acquire(io, *pool);
  ASSERT_EQ(r.err, BackendError::None);
  EXPECT_EQ(round_trip(io, r.lease), kOk);
}

TEST(BackendTls, ExpiredPeerRefusedUnlessCheckOff) {
  TlsTestBackend be(kOk, true);
  boost::asio::io_context io;
  auto pool = https_pool(io, be.port(), kName, context({}));
  EXPECT_EQ(acquire(io, *pool).err, BackendError::Tls);
  BackendTlsOptions off;
  off.check_peer_expire = false;
  pool = https_pool(io, be.port(), kName, context(off));
  EXPECT_EQ(acquire(io, *pool).err, BackendError::None);
}

TEST(BackendTls, VerifyAgainstCaFile) {
  TlsTestBackend be(kOk);
  boost::asio::io_context io;
  BackendTlsOptions verify;
  verify.verify = true;
  verify.ca_file = "/nonexistent-ca.pem";
  std::string error;
  EXPECT_FALSE(BackendTlsContext::create(verify, error));
  EXPECT_NE(error.find("/nonexistent-ca.pem"), std::string::npos);
  // Unknown issuer (no CA given): the handshake fails.
  verify.ca_file.clear();
  verify.ca_path = "/nonexistent-dir";
  BackendTlsOptions no_ca;
  no_ca.verify = true;
  auto pool = https_pool(io, be.port(), kName, context(no_ca));
  EXPECT_EQ(acquire(io, *pool).err, BackendError::Tls);
  verify.ca_path.clear();
  verify.ca_file = be.ca_file();
  pool = https_pool(io, be.port(), kName, context(verify));
  auto r = acquire(io, *pool);
  ASSERT_EQ(r.err, BackendError::None) << backend_error_name(r.err);
  EXPECT_EQ(round_trip(io, r.lease), kOk);
}

TEST(BackendTls, HttpsWithoutContextFails) {
  boost::asio::io_context io;
  auto pool = https_pool(io, 443, kName, nullptr);
  EXPECT_EQ(acquire(io, *pool).err, BackendError::Tls);
  EXPECT_EQ(pool->counters().busy, 0u);
}

TEST(BackendTls, OptionsFromConfig) {
  directives::SslProxySide server, dir;
  server.ctx.verify = directives::SslVerify::Require;
  server.ctx.ca_certificate_file = "/etc/ca.pem";
  server.check_peer_name = false;
  auto o = BackendTlsOptions::from_config(server, nullptr);
  EXPECT_TRUE(o.verify);
  EXPECT_EQ(o.ca_file, "/etc/ca.pem");
  EXPECT_FALSE(o.check_peer_name);
  EXPECT_TRUE(o.check_peer_expire);
  dir.ctx.verify = directives::SslVerify::None;
  dir.ctx.ca_certificate_file = "/dir/ca.pem";
  dir.check_peer_expire = false;
  o = BackendTlsOptions::from_config(server, &dir);
  EXPECT_FALSE(o.verify);
  EXPECT_EQ(o.ca_file, "/dir/ca.pem");
  EXPECT_FALSE(o.check_peer_name); // not set in the section: the server's
  EXPECT_FALSE(o.check_peer_expire);
}

TEST(BackendTls, ContextCachedPerThreadRegistry) {
  boost::asio::io_context io;
  auto& pools = BackendPools::of(io);
  std::string error;
  BackendTlsOptions a, b;
  b.check_peer_name = false;
  auto ca = pools.tls_context(a, error);
  ASSERT_TRUE(ca) << error;
  EXPECT_EQ(pools.tls_context(a, error), ca);
  auto cb = pools.tls_context(b, error);
  ASSERT_TRUE(cb);
  EXPECT_NE(cb, ca);
  EXPECT_FALSE(cb->options().check_peer_name);
  BackendTlsOptions bad;
  bad.ca_file = "/nonexistent-ca.pem";
  EXPECT_FALSE(pools.tls_context(bad, error));
  EXPECT_FALSE(error.empty());
}
