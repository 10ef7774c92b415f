#include "server/backend/backend_endpoint.hpp"

#include <gtest/gtest.h>

#include "directives/model/proxy_worker.hpp"
#include "server/backend/backend_settings.hpp"

using namespace balancerd::backend;
using namespace std::chrono_literals;

TEST(BackendEndpoint, FromUrl) {
  auto a = BackendEndpoint::from_url("http://Backend.Example:8080/app?x=1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "backend.example");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(a->key(), "http://backend.example:8080");
  EXPECT_EQ(a->host_port(), "backend.example:8080");
  auto b = BackendEndpoint::from_url("https://[::1]/x");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->scheme, BackendScheme::Https);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 443);
  EXPECT_EQ(b->key(), "https://[::1]:443");
  auto c = BackendEndpoint::from_url("ws://127.0.0.1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->port, 80);
  auto u = BackendEndpoint::from_url("unix:/run/app.sock|http://localhost/app");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->is_unix());
  EXPECT_EQ(u->uds_path, "/run/app.sock");
  EXPECT_EQ(u->key(), "unix:/run/app.sock|http://localhost:80");
  auto nohost = BackendEndpoint::from_url("unix:/s|http:///x");
  ASSERT_TRUE(nohost);
  EXPECT_EQ(nohost->host, "localhost");
  EXPECT_FALSE(BackendEndpoint::from_url("ajp://h:8009/"));
  EXPECT_FALSE(BackendEndpoint::from_url("http://h:0/"));
  EXPECT_FALSE(BackendEndpoint::from_url("http://h:99999/"));
  EXPECT_FALSE(BackendEndpoint::from_url("http:///x"));
  EXPECT_FALSE(BackendEndpoint::from_url("no-scheme"));
}

TEST(BackendEndpoint, FromWorker) {
  balancerd::directives::Worker w;
  w.scheme = "https";
  w.hostname = "App";
  w.port = 0;
  auto ep = BackendEndpoint::from_worker(w);
  EXPECT_EQ(ep.scheme, BackendScheme::Https);
  EXPECT_EQ(ep.host, "app");
  EXPECT_EQ(ep.port, 443);
  w.scheme = "http";
  w.port = 8080;
  w.uds_path = "/tmp/s";
  ep = BackendEndpoint::from_worker(w);
  EXPECT_EQ(ep.key(), "unix:/tmp/s|http://app:8080");
}

TEST(BackendSettings, TimeoutFallbacks) {
  balancerd::directives::WorkerParams p;
  // Nothing set: Timeout.
  auto s = BackendSettings::from_worker(p, 0us, 30s);
  EXPECT_EQ(s.io_timeout, 30000ms);
  EXPECT_EQ(s.connect_timeout, 30000ms);
  // ProxyTimeout over Timeout.
  s = BackendSettings::from_worker(p, 10s, 30s);
  EXPECT_EQ(s.io_timeout, 10000ms);
  EXPECT_EQ(s.connect_timeout, 10000ms);
  // timeout= over both; connectiontimeout= for connects only.
  p.timeout = 5s;
  p.timeout_set = true;
  p.connection_timeout = 250ms;
  p.connection_timeout_set = true;
  s = BackendSettings::from_worker(p, 10s, 30s);
  EXPECT_EQ(s.io_timeout, 5000ms);
  EXPECT_EQ(s.connect_timeout, 250ms);
  EXPECT_EQ(s.acquire_timeout, 0ms);
  p.acquire = 1500us;
  p.acquire_set = true;
  EXPECT_EQ(BackendSettings::from_worker(p, 0us, 60s).acquire_timeout, 1ms);
}

TEST(BackendSettings, PoolLimitsAndFlags) {
  balancerd::directives::WorkerParams p;
  auto s = BackendSettings::from_worker(p, 0us, 60s);
  EXPECT_EQ(s.max, 0); // no max=: no limit per io thread
  EXPECT_TRUE(s.reuse);
  EXPECT_FALSE(s.tcp_keepalive);
  p.hmax = 4;
  p.smax = 9; // above max: clamped
  p.ttl = 30s;
  p.disablereuse = true;
  p.keepalive = true;
  p.recv_buffer_size = 65536;
  p.io_buffer_size = 16384;
  p.is_address_reusable = false;
  s = BackendSettings::from_worker(p, 0us, 60s);
  EXPECT_EQ(s.max, 4);
  EXPECT_EQ(s.smax, 4);
  EXPECT_EQ(s.ttl, 30000ms);
  EXPECT_FALSE(s.reuse);
  EXPECT_TRUE(s.tcp_keepalive);
  EXPECT_EQ(s.receive_buffer_size, 65536u);
  EXPECT_EQ(s.io_buffer_size, 16384u);
  EXPECT_EQ(s.address_ttl, 0);
  p.smax = -1;
  EXPECT_EQ(BackendSettings::from_worker(p, 0us, 60s).smax, 4);
}
