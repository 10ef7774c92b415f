// SetHandler "proxy:...", forward proxying (ProxyRequests On) and client URLs naming a Unix socket.
// Expected request-URIs and statuses recorded live on apache2 2.4.71 (2026-11-24).
#include "server/proxypass/backend_url.hpp"
#include "server/proxypass/pass_match.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

namespace balancerd::proxypass {
namespace {

using test::compile_ok;
using test::make_request;

// <Location /php> SetHandler "proxy:http://127.0.0.1:18742/H" </Location>: SetHandler lower-cases
// the handler (all but "proxy:unix..." ones), and the core's r->filename (DocumentRoot + path, the
// missing tail moved to path_info) is appended.
TEST(ProxyHandler, HandlerPlusFilename) {
  const auto c = compile_ok("<Proxy balancer://hb>\nBalancerMember http://127.0.0.1:18742/HB\n</Proxy>\n");
  const auto& server = c.config->main.proxy;
  struct Row {
    const char* handler;
    const char* filename;
    const char* target;
    const char* url;
    const char* uds;
  } rows[] = {
      {"proxy:http://127.0.0.1:18742/h", "/tmp/pp/docroot/php/x.php", "/php/x.php?a=%20b",
       "http://127.0.0.1:18742/h/tmp/pp/docroot/php/x.php?a=%20b", ""},
      {"proxy:http://127.0.0.1:18742/h", "/tmp/pp/docroot/php/nofile", "/php/nofile?z",
       "http://127.0.0.1:18742/h/tmp/pp/docroot/php/nofile?z", ""},
      {"proxy:http://127.0.0.1:18742/h", "/tmp/pp/docroot/php/a b", "/php/a%20b",
       "http://127.0.0.1:18742/h/tmp/pp/docroot/php/a%20b", ""},
      {"proxy:unix:/tmp/pp/b.sock|http://sh/P/", "/tmp/pp/docroot/hs", "/hs/k?q=1",
       "http://sh/P//tmp/pp/docroot/hs?q=1", "/tmp/pp/b.sock"},
      {"proxy:balancer://hb", "/tmp/pp/docroot/hb", "/hb/k?q=2", "balancer://hb/tmp/pp/docroot/hb?q=2", ""},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.target);
    const auto req = make_request(r.target);
    const auto m = match_handler(server, r.handler, r.filename, req.view());
    ASSERT_TRUE(m.has_value());
    ASSERT_EQ(m->result, PassResult::Proxy);
    EXPECT_EQ(m->target.url, r.url);
    EXPECT_EQ(m->target.uds_path, r.uds);
    EXPECT_EQ(m->target.rule, nullptr);
  }
  const auto req = make_request("/x");
  EXPECT_FALSE(match_handler(server, "proxy-server", "/x", req.view()).has_value());
  EXPECT_FALSE(match_handler(server, "default-handler", "/x", req.view()).has_value());
  // A socket URL without a scheme after '|' (AH10292).
  const auto bad = match_handler(server, "proxy:unix:/s.sock|nothing", "/x", req.view());
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->result, PassResult::Error);
  EXPECT_EQ(bad->status, 500);
  const auto balancer = match_handler(server, "proxy:balancer://hb", "/f", req.view());
  EXPECT_EQ(balancer->target.balancer, "balancer://hb");
}

TEST(ForwardProxy, UrlSentAsWritten) {
  const auto c = compile_ok("ProxyRequests On\n");
  const auto& server = c.config->main.proxy;
  struct Row {
    const char* target;
    const char* sent; // request-URI the backend got, or the status
  } rows[] = {
      {"http://127.0.0.1:18741/a%20b/../c?x=%41", "/a%20b/../c?x=%41"},
      {"http://127.0.0.1:18741", "/"},
      {"HTTP://127.0.0.1:18741/Up", "/Up"},
      {"unix:/tmp/pp/x.sock|http://localhost/", "500"},
      {"unix:/tmp/pp/x.sock", "500"},
      {"ftp://127.0.0.1:18741/x", "500"}, // mod_proxy_ftp not loaded: AH01144
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.target);
    const auto m = forward_target(server, r.target);
    if (r.sent[0] == '/') {
      ASSERT_EQ(m.result, PassResult::Proxy);
      EXPECT_TRUE(m.target.forward);
      EXPECT_EQ(backend_request_uri(m.target.url), r.sent);
    } else {
      EXPECT_EQ(m.result, PassResult::Error);
      EXPECT_EQ(std::to_string(m.status), r.sent);
    }
  }
  EXPECT_EQ(forward_target(server, "HTTP://Example.COM:80/P?Q").target.url, "http://example.com/P?Q");
  // "http://localhost/x|y" went to localhost:80 (nothing listens: 503), so it was a plain URL.
  EXPECT_EQ(forward_target(server, "http://localhost/x|y").target.url, "http://localhost/x|y");
}

TEST(ForwardProxy, ClientUdsUrls) {
  EXPECT_EQ(check_client_uds("unix:/tmp/pp/b.sock|http://localhost/", false), 400);
  EXPECT_EQ(check_client_uds("UNIX:/tmp/pp/b.sock|http://localhost/", true), 500);
  EXPECT_EQ(check_client_uds("unix:/tmp/pp/b.sock", false), 400);
  EXPECT_EQ(check_client_uds("http://h/x|y", true), 0);
  EXPECT_EQ(check_client_uds("/x/a|b", false), 0);
}

} // namespace
} // namespace balancerd::proxypass
