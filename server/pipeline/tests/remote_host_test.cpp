// The client's name as the request path keeps it (resolve_remote_host): looked up only with
// HostnameLookups On/Double, once per connection (Apache's conn_rec remote_host), shown by later
// requests of the connection even where HostnameLookups is Off, per request when mod_remoteip made
// the client another address; REMOTE_HOST in an expression triggers the lookup lazily. Also the
// RequestReadTimeout body stage that post_read_request hands the connection, and the request's time.
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "directives/expr/expr.hpp"
#include "server/access/host_cache.hpp"
#include "server/expr/expr_eval.hpp"
#include "server/pipeline/request_phases.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::pipeline {
namespace {

using namespace std::chrono_literals;

class CountingResolver final : public access::HostResolver {
public:
  std::map<std::string, std::string> names;              // PTR
  std::map<std::string, std::vector<std::string>> addrs; // A
  int reverse_calls = 0;
  std::string reverse(std::string_view ip) override {
    ++reverse_calls;
    auto it = names.find(std::string(ip));
    return it == names.end() ? std::string() : it->second;
  }
  std::vector<std::string> forward(std::string_view name) override {
    std::string key(name);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c))); // as DNS
    auto it = addrs.find(key);
    return it == addrs.end() ? std::vector<std::string>() : it->second;
  }
};

// An exchange with only what the request phases read: the request, the peer, the connection's names,
// and the body stage it is given.
class FakeExchange final : public net::Exchange {
public:
  http::Request req;
  net::PeerInfo peer_info{"127.0.0.1", 40000, "127.0.0.1", 8080};
  net::ConnectionNames names;
  http::ReadTimeoutStage body_stage{};
  int body_stage_calls = 0;
  http::ResponseHead head;
  const http::Request& request() const override { return req; }
  const net::PeerInfo& peer() const override { return peer_info; }
  void set_body_limit(std::uint64_t) override {}
  void read_body(net::BodyCallback) override {}
  http::ResponseHead& response() override { return head; }
  void write(std::span<const char>, bool, net::WriteCallback) override {}
  void send_error(int, const http::ErrorPageInfo&, std::string_view) override {}
  bool head_sent() const override { return false; }
  std::chrono::system_clock::time_point arrived{std::chrono::seconds(1700000000) + 123456us};
  std::chrono::system_clock::time_point request_time() const override { return arrived; }
  void set_body_read_timeout(const http::ReadTimeoutStage& s) override {
    body_stage = s;
    ++body_stage_calls;
  }
  net::ConnectionNames* connection_names(bool create) override {
    if (create) made = true;
    return made ? &names : nullptr;
  }
  bool made = false;
};

struct Fixture {
  CountingResolver resolver;
  access::HostResolver* previous;
  FakeExchange ex;
  runtime::ServerView server;
  std::shared_ptr<directives::DirConf> on, off, dbl;
  Fixture() : previous(access::override_thread_host_resolver(&resolver)) {
    resolver.names["127.0.0.1"] = "LocalHost";
    resolver.addrs["localhost"] = {"127.0.0.1"};
    on = conf("on");
    off = conf("off");
    dbl = conf("double");
    server.base = off;
  }
  ~Fixture() { access::override_thread_host_resolver(previous); }
  static std::shared_ptr<directives::DirConf> conf(const char* mode) {
    auto c = std::make_shared<directives::DirConf>();
    c->core->hostname_lookups = mode;
    return c;
  }
  // One request on the fake connection, up to the end of post_read_request.
  void start(RequestState& st) {
    st.reset();
    st.server = &server;
    init_request_facts(st, ex, "localhost", "", "/var/www");
    run_post_read_request(st, ex);
  }
  bool eval(RequestState& st, std::string_view text) {
    auto r = directives::expr::parse(text);
    EXPECT_TRUE(r.ok()) << r.error;
    return r.ok() && expr::Evaluator::this_thread().matches(*r.expr, st.ctx);
  }
};

// The request's time (mod_headers' %t and %D, an ETag's weak check) is when its bytes arrived, as
// Apache's r->request_time, which %t logs: the exchange's, not a later clock reading.
TEST(PipelineRequestFacts, RequestTimeIsTheExchanges) {
  Fixture f;
  RequestState st;
  f.start(st);
  EXPECT_EQ(st.ctx.info.request_time_us, 1700000000123456);
}

TEST(PipelineRemoteHost, OffLooksNothingUp) {
  Fixture f;
  RequestState st;
  f.start(st);
  EXPECT_EQ(resolve_remote_host(st, f.off.get()), "");
  EXPECT_EQ(resolve_remote_host(st, nullptr), "");
  EXPECT_EQ(f.resolver.reverse_calls, 0);
  EXPECT_TRUE(f.eval(st, "%{REMOTE_HOST} == '127.0.0.1'")); // the server level is Off
  EXPECT_EQ(f.resolver.reverse_calls, 0);
  EXPECT_FALSE(f.ex.made); // the connection did not grow for it
}

TEST(PipelineRemoteHost, RequireHostsNameIsKeptOnTheConnection) {
  Fixture f;
  RequestState st;
  f.start(st);
  st.remote_host = "client.example"; // as access_status records Require host's lookup
  remember_remote_host(st);
  EXPECT_EQ(st.ctx.info.remote_host, "client.example");
  EXPECT_EQ(f.ex.names.remote_host, "client.example");
  RequestState next;
  f.start(next);
  EXPECT_EQ(next.remote_host, "client.example");
  EXPECT_EQ(f.resolver.reverse_calls, 0);
}

TEST(PipelineRemoteHost, OnResolvesOncePerConnectionAndLaterRequestsKeepTheName) {
  Fixture f;
  RequestState st;
  f.start(st);
  EXPECT_EQ(resolve_remote_host(st, f.on.get()), "localhost"); // lower case, as Apache logs it
  EXPECT_EQ(st.remote_host, "localhost");
  EXPECT_TRUE(f.ex.names.looked_up);
  EXPECT_EQ(resolve_remote_host(st, f.on.get()), "localhost");
  EXPECT_EQ(f.resolver.reverse_calls, 1);
  // the next request on the keep-alive connection, where HostnameLookups is Off: the name stays
  RequestState next;
  f.start(next);
  EXPECT_EQ(next.remote_host, "localhost");
  EXPECT_TRUE(f.eval(next, "%{REMOTE_HOST} == 'localhost'"));
  EXPECT_EQ(resolve_remote_host(next, f.on.get()), "localhost");
  EXPECT_EQ(f.resolver.reverse_calls, 1);
  // a new connection looks up again
  f.ex.names = {};
  f.ex.made = false;
  RequestState third;
  f.start(third);
  EXPECT_EQ(third.remote_host, "");
  EXPECT_EQ(resolve_remote_host(third, f.on.get()), "localhost");
  EXPECT_EQ(f.resolver.reverse_calls, 2);
}

TEST(PipelineRemoteHost, ExpressionLooksUpLazilyWithTheRequestsSetting) {
  Fixture f;
  f.server.base = f.on; // HostnameLookups On at the server level
  RequestState st;
  f.start(st);
  EXPECT_EQ(f.resolver.reverse_calls, 0); // nothing asked yet
  EXPECT_TRUE(f.eval(st, "%{REQUEST_METHOD} == '' || true"));
  EXPECT_EQ(f.resolver.reverse_calls, 0);
  EXPECT_TRUE(f.eval(st, "%{REMOTE_HOST} == 'localhost'"));
  EXPECT_TRUE(f.eval(st, "%{REMOTE_HOST} =~ /^local/"));
  EXPECT_EQ(f.resolver.reverse_calls, 1);
  EXPECT_EQ(st.remote_host, "localhost"); // %h of the access log shows it too
}

TEST(PipelineRemoteHost, NoNameIsLookedUpOnceAndGivesTheAddress) {
  Fixture f;
  f.resolver.names.clear();
  f.server.base = f.on;
  RequestState st;
  f.start(st);
  EXPECT_TRUE(f.eval(st, "%{REMOTE_HOST} == '127.0.0.1'"));
  EXPECT_TRUE(f.eval(st, "%{REMOTE_HOST} == '127.0.0.1'"));
  RequestState next;
  f.start(next);
  EXPECT_TRUE(f.eval(next, "%{REMOTE_HOST} == '127.0.0.1'"));
  EXPECT_EQ(f.resolver.reverse_calls, 1); // the connection remembers that there is none
}

TEST(PipelineRemoteHost, DoubleNeedsTheNameToResolveBack) {
  Fixture f;
  RequestState st;
  f.start(st);
  EXPECT_EQ(resolve_remote_host(st, f.dbl.get()), "localhost");
  EXPECT_EQ(f.ex.names.double_reverse, 1);

  Fixture g;
  g.resolver.addrs.clear(); // the PTR name does not resolve back
  RequestState st2;
  g.start(st2);
  EXPECT_EQ(resolve_remote_host(st2, g.on.get()), "localhost"); // On takes the PTR name as it is
  EXPECT_EQ(resolve_remote_host(st2, g.dbl.get()), "");         // Double refuses it
  EXPECT_EQ(g.ex.names.remote_host, "");                        // for the connection's next requests too
  RequestState next;
  g.start(next);
  EXPECT_EQ(resolve_remote_host(next, g.on.get()), "");
}

TEST(PipelineRemoteHost, RemoteIpClientIsResolvedPerRequest) {
  Fixture f;
  f.resolver.names["192.0.2.7"] = "proxied.example";
  RequestState st;
  f.start(st);
  st.useragent_ip = "192.0.2.7"; // as mod_remoteip leaves it
  st.ctx.info.useragent_ip = st.useragent_ip;
  EXPECT_EQ(resolve_remote_host(st, f.on.get()), "proxied.example");
  EXPECT_FALSE(f.ex.names.looked_up); // not the connection's peer: not kept on the connection
  RequestState next;
  f.start(next);
  EXPECT_EQ(next.remote_host, "");
}

TEST(PipelineRequestReadTimeout, BodyStageIsTheRequestServers) {
  Fixture f;
  f.server.merged.misc.body_timeout = {true, 3, 0, 0};
  RequestState st;
  f.start(st);
  EXPECT_EQ(f.ex.body_stage_calls, 1);
  EXPECT_EQ(f.ex.body_stage.timeout, 3s);
  EXPECT_EQ(f.ex.body_stage.min_rate, 0u);
  f.server.merged.misc.body_timeout = {}; // unset: mod_reqtimeout's default body=20,MinRate=500
  RequestState next;
  f.start(next);
  EXPECT_EQ(f.ex.body_stage.timeout, 20s);
  EXPECT_EQ(f.ex.body_stage.min_rate, 500u);
}

} // namespace
} // namespace balancerd::pipeline
