// Which configured worker serves a mapped URL. Recorded live on apache2 2.4.71: the worker with
// timeout=1 answered 502 to a backend that waited 2 s, every other worker 200, so the status shows
// which worker Apache's lookup chose.
#include "server/proxypass/pass_match.hpp"
#include "server/proxypass/worker_lookup.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

namespace balancerd::proxypass {
namespace {

using test::compile_ok;
using test::make_request;

TEST(WorkerLookup, LongestNameAndMatchWorkers) {
  // Order matters: defined the other way round, "/b/" would share the "/" worker (AH01145).
  const auto c = compile_ok("ProxyPass /b/ http://127.0.0.1:18741/deep/ timeout=1\n"
                            "ProxyPass /a/ http://127.0.0.1:18741/\n"
                            "ProxyPassMatch ^/m/(.*)$ http://127.0.0.1:18742/mm/$1 timeout=1\n"
                            "ProxyPass /c/ http://127.0.0.1:18742/\n"
                            "ProxyPass /h/ http://LOCALHOST:18741/deep/\n");
  const auto& server = c.config->main.proxy;
  struct Row {
    const char* target;
    const char* worker; // nullptr: Apache's default worker
    bool timed_out;     // what apache2 answered: 502 (the timeout=1 worker) or 200
  } rows[] = {
      {"/b/x", "http://127.0.0.1:18741/deep/", true},
      {"/a/deep/x", "http://127.0.0.1:18741/deep/", true},
      {"/a/deep", "http://127.0.0.1:18741/", false},
      {"/a/DEEP/x", "http://127.0.0.1:18741/", false},
      {"/a/x", "http://127.0.0.1:18741/", false},
      {"/c/mm/z", "http://127.0.0.1:18742/", false}, // shorter than "http://127.0.0.1:18742/mm/$1"
      {"/c/mm", "http://127.0.0.1:18742/", false},
      {"/c/x", "http://127.0.0.1:18742/", false},
      {"/h/x", "http://localhost:18741/deep/", false},
      // Its own worker's name is longer than the URL, so the prefix worker of "/c/" serves it.
      {"/m/z", "http://127.0.0.1:18742/", false},
      {"/m/zz", "http://127.0.0.1:18742/mm/$1", true},
      {"/c/mm/zz", "http://127.0.0.1:18742/mm/$1", true},
      {"/c/mm/zzz/y", "http://127.0.0.1:18742/mm/$1", true},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.target);
    const auto req = make_request(r.target);
    const auto m = match_proxy_pass(server, nullptr, req.view());
    ASSERT_EQ(m.result, PassResult::Proxy);
    if (!r.worker) {
      EXPECT_EQ(m.target.worker, nullptr) << m.target.worker->name;
      continue;
    }
    ASSERT_NE(m.target.worker, nullptr);
    EXPECT_EQ(m.target.worker->name, r.worker);
    EXPECT_EQ(m.target.worker->params.timeout_set, r.timed_out);
  }
}

TEST(WorkerLookup, Balancers) {
  const auto c = compile_ok("<Proxy balancer://App>\nBalancerMember http://127.0.0.1:1/\n</Proxy>\n");
  const auto& server = c.config->main.proxy;
  ASSERT_NE(find_balancer(server, "balancer://app/x"), nullptr);
  EXPECT_EQ(find_balancer(server, "BALANCER://APP")->name, "balancer://app");
  EXPECT_EQ(find_balancer(server, "balancer://other/"), nullptr);
  EXPECT_EQ(find_worker(server, "http://127.0.0.1:1/"), nullptr); // members are not server workers
}

TEST(WorkerLookup, UnixSocketWorker) {
  const auto c = compile_ok("ProxyPass /u/ unix:/tmp/pp/b.sock|http://uhost/base/\n");
  const auto req = make_request("/u/a%20b?q");
  const auto m = match_proxy_pass(c.config->main.proxy, nullptr, req.view());
  ASSERT_EQ(m.result, PassResult::Proxy);
  EXPECT_EQ(m.target.url, "http://uhost/base/a%20b?q"); // apache2 sent "GET /base/a%20b?q" on the socket
  ASSERT_NE(m.target.worker, nullptr);
  EXPECT_EQ(m.target.uds_path, "/tmp/pp/b.sock");

  const auto rel = compile_ok("ProxyPass /ur/ unix:b.sock|http://localhost/r/\n");
  const auto r2 = make_request("/ur/z");
  const auto m2 = match_proxy_pass(rel.config->main.proxy, nullptr, r2.view());
  EXPECT_EQ(m2.target.url, "http://localhost/r/z");
  EXPECT_EQ(m2.target.uds_path, "b.sock"); // left for the engine to resolve against DefaultRuntimeDir
}

} // namespace
} // namespace balancerd::proxypass
