// serve_balancer_manager over an Exchange: methods, body reading (Apache reads the first 1024 bytes
// of a form), content types and framing, and the request facts it takes from RequestState.
#include <gtest/gtest.h>

#include <deque>

#include "server/handlers/server_status.hpp"
#include "server/log/error_log.hpp"
#include "server/log/log_set.hpp"
#include "server/log/log_target.hpp"
#include "server/manager/balancer_manager.hpp"
#include "server/manager/tests/manager_test_support.hpp"
#include "server/pipeline/snapshot.hpp"

namespace balancerd::manager::test {
namespace {

// Completes everything synchronously and records the response.
class FakeExchange final : public net::Exchange {
public:
  const http::Request& request() const override { return req; }
  const net::PeerInfo& peer() const override { return peer_; }
  void set_body_limit(std::uint64_t limit) override { body_limit = limit; }
  void read_body(net::BodyCallback cb) override {
    net::BodyPiece piece;
    if (!pieces.empty()) {
      current = std::move(pieces.front());
      pieces.pop_front();
      piece.data = std::span<const char>(current.data(), current.size());
    }
    piece.end = pieces.empty();
    piece.error = body_error;
    cb(piece);
  }
  http::ResponseHead& response() override { return head; }
  void write(std::span<const char> data, bool last, net::WriteCallback done) override {
    ++writes;
    body.append(data.data(), data.size());
    ended = ended || last;
    if (done) done(true);
  }
  void send_error(int status, const http::ErrorPageInfo&, std::string_view allow_) override {
    error = status;
    allow = std::string(allow_);
  }
  bool head_sent() const override { return writes > 0; }

  http::Request req;
  net::PeerInfo peer_;
  http::ResponseHead head;
  std::deque<std::string> pieces;
  std::string current;
  int body_error = 0;
  std::uint64_t body_limit = 0;
  std::string body;
  int writes = 0;
  bool ended = false;
  int error = 0;
  std::string allow;
};

class Serve : public ::testing::Test {
protected:
  Serve() : f(kConfigA, nonces_of("a_nonces.txt")) {
    state.snapshot = pipeline::Snapshot::build(
        std::shared_ptr<const directives::Config>(&f.config(), [](auto*) {}), "localhost");
    view.index = -1;
    view.source = &f.config().main;
    view.merged = f.config().main;
    state.server = &view;
    state.uri = "/balancer-manager";
    ex.req.path = "/balancer-manager";
    ex.req.host = "127.0.0.1";
    ex.req.port = "18480";
    ex.peer_.local_port = 18480;
  }
  void method(http::Method m, std::string_view text) {
    ex.req.method = m;
    ex.req.method_text = text;
  }
  void header(std::string_view name, std::string_view value) { ex.req.headers.push_back({name, value}); }
  void run() { serve_balancer_manager(ex, state, f.store()); }
  std::string n() { return capture_lines("a_nonces.txt").at(2); }

  Fixture f;
  runtime::ServerView view;
  pipeline::RequestState state;
  FakeExchange ex;
};

TEST_F(Serve, GetStreamsTheHtmlPage) {
  method(http::Method::Get, "GET");
  run();
  EXPECT_EQ(ex.error, 0);
  EXPECT_EQ(ex.head.status, 200);
  EXPECT_EQ(ex.head.content_type(), "text/html; charset=ISO-8859-1");
  EXPECT_FALSE(ex.head.content_length.has_value()); // chunked, as apache2 sends it
  EXPECT_TRUE(ex.ended);
  // Everything but the build time matches the capture (the page's name comes from the Host header).
  std::string page = normalise(ex.body);
  EXPECT_EQ(page, normalise(read_capture("a_main.html")));
}

TEST_F(Serve, HeadIsAGet) {
  method(http::Method::Head, "HEAD");
  run();
  EXPECT_EQ(ex.head.status, 200);
  EXPECT_EQ(ex.head.content_type(), "text/html; charset=ISO-8859-1");
}

TEST_F(Serve, OptionsAndOtherMethods) {
  method(http::Method::Options, "OPTIONS");
  run();
  EXPECT_EQ(ex.head.status, 200);
  EXPECT_NE(ex.head.fields().find("Allow: POST,OPTIONS,HEAD,GET,TRACE"), std::string_view::npos);
  EXPECT_EQ(ex.head.content_length, 0u);
  FakeExchange del;
  del.req = ex.req;
  del.req.method = http::Method::Delete;
  del.req.method_text = "DELETE";
  serve_balancer_manager(del, state, f.store());
  EXPECT_EQ(del.error, 405);
  EXPECT_EQ(del.allow, "POST,OPTIONS,HEAD,GET,TRACE");
}

TEST_F(Serve, PostReadsTheFirst1024BodyBytes) {
  method(http::Method::Post, "POST");
  header("Referer", "http://127.0.0.1:18480/balancer-manager");
  ex.req.body = http::BodyKind::Length;
  std::string form = "b=rc&w=http://127.0.0.1:18102&nonce=" + n() + "&w_lf=3&pad=";
  form += std::string(1024 - form.size() - 4, 'x');
  form += "&w_ls=7"; // crosses byte 1024: cut to "&w_l" -> ignored
  ex.pieces = {form.substr(0, 10), form.substr(10, 500), form.substr(510)};
  run();
  EXPECT_EQ(ex.error, 0);
  auto& w = f.store().balancer(-1, "balancer://rc")->member(1);
  EXPECT_EQ(w.lbfactor.load(), 300);
  EXPECT_EQ(w.lbset.load(), 0);
  // The page after a POST with b and w: the worker edit form.
  EXPECT_NE(ex.body.find("<h3>Edit worker settings for http://127.0.0.1:18102</h3>"), std::string::npos);
  EXPECT_NE(ex.body.find("action=\"http://127.0.0.1:18480/balancer-manager\""), std::string::npos);
  EXPECT_EQ(ex.body_limit, 1073741824u);
}

TEST_F(Serve, PostQueryIsIgnored) {
  method(http::Method::Post, "POST");
  header("Referer", "http://127.0.0.1/");
  ex.req.query = "b=rc&xml=1";
  run();
  EXPECT_EQ(ex.head.content_type(), "text/html; charset=ISO-8859-1");
  EXPECT_EQ(ex.body.find("Edit balancer settings"), std::string::npos);
}

TEST_F(Serve, BodyErrorIsAnswered) {
  method(http::Method::Post, "POST");
  ex.req.body = http::BodyKind::Length;
  ex.pieces = {"b=rc"};
  ex.body_error = 413;
  run();
  EXPECT_EQ(ex.error, 413);
  EXPECT_EQ(ex.writes, 0);
}

TEST_F(Serve, FailedAdditionIsApaches400Page) {
  method(http::Method::Post, "POST");
  header("Referer", "http://127.0.0.1/");
  ex.req.body = http::BodyKind::Length;
  ex.pieces = {"b=rc&nonce=" + n() + "&b_wyes=1&b_nwrkr=bogus"};
  run();
  EXPECT_EQ(ex.error, 400);
}

TEST_F(Serve, JsonUpdateAndExtensionsHaveALength) {
  method(http::Method::Post, "POST");
  header("Referer", "http://127.0.0.1/");
  header("Content-Type", "application/json");
  ex.req.body = http::BodyKind::Length;
  ex.pieces = {R"({"b":"rc","w":"http://127.0.0.1:18101","nonce":")" + n() + R"(","w_status_D":1})"};
  run();
  EXPECT_EQ(ex.head.content_type(), "application/json");
  EXPECT_EQ(ex.head.content_length, ex.body.size());
  EXPECT_NE(ex.body.find("\"updated\":true"), std::string::npos);
  EXPECT_TRUE(f.store().balancer(-1, "balancer://rc")->member(0).has(directives::kWorkerDisabled));

  FakeExchange get;
  get.req = ex.req;
  get.req.headers.clear();
  get.req.body = http::BodyKind::None;
  get.req.method = http::Method::Get;
  get.req.query = "prometheus";
  serve_balancer_manager(get, state, f.store());
  EXPECT_EQ(get.head.content_type(), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(get.head.content_length, get.body.size());
}

TEST_F(Serve, ServerSignatureOn) {
  auto dir = std::make_shared<directives::DirConf>();
  dir->core->server_signature = "On";
  state.dir = dir;
  method(http::Method::Get, "GET");
  run();
  EXPECT_NE(ex.body.find("<hr />\n<address>Apache/2.4.71 (Debian) Server at 127.0.0.1 Port 18480</address>\n"
                         "</body></html>\n"),
            std::string::npos);
  FakeExchange mail;
  mail.req = ex.req;
  dir->core->server_signature = "EMail";
  serve_balancer_manager(mail, state, f.store());
  EXPECT_NE(mail.body.find("<address>Apache/2.4.71 (Debian) Server at <a href=\"mailto:[no address given]\">"
                           "127.0.0.1</a> Port 18480</address>\n</body></html>\n"),
            std::string::npos);
}

TEST_F(Serve, ServerStatusListsBalancersWithProxyStatus) {
  handlers::StatusInfo info;
  info.server_name = "127.0.0.1";
  info.store = &f.store();
  info.proxy_status = true;
  FakeExchange text;
  text.req = ex.req;
  text.req.query = "auto";
  handlers::serve_server_status(text, info);
  EXPECT_NE(text.body.find("\nScoreboard: W\nProxyBalancer[0]Name: balancer://mycluster\n"
                           "ProxyBalancer[0]Worker[0]Name: http://127.0.0.1:18101\n"),
            std::string::npos)
      << text.body;
  EXPECT_TRUE(text.body.ends_with("ProxyBalancer[2]Worker[1]Rcvd: 0K\n"));

  FakeExchange html;
  html.req = ex.req;
  handlers::serve_server_status(html, info);
  EXPECT_NE(html.body.find("</pre>\n<hr />\n<h1>Proxy LoadBalancer Status for balancer://mycluster</h1>\n"),
            std::string::npos);
  EXPECT_TRUE(
      html.body.ends_with("<tr><th>Rd</th><td>Number of bytes read</td></tr>\n</table></body></html>\n"));

  info.proxy_status = false; // ProxyStatus Off: mod_status's own lines only
  FakeExchange off;
  off.req = text.req;
  handlers::serve_server_status(off, info);
  EXPECT_EQ(off.body.find("ProxyBalancer"), std::string::npos);
}

class Lines final : public log::LogTarget {
public:
  void write(std::string_view lines, int) override { text.append(lines); }
  std::string text;
};

// Apache writes the manager's error-log lines in the request's scope: "[client IP:port]" before the
// message and ", referer: ..." after it (apache2 2.4.71:
// "[proxy_balancer:error] [pid ..] [client 127.0.0.1:54766] AH10187: ignoring params in balancer-manager
// cross-site access http://evil.example/balancer-manager: localhost, referer: http://evil.example/...").
TEST_F(Serve, RefusedUpdateIsLoggedWithTheClientAndReferer) {
  auto target = std::make_shared<Lines>();
  log::ServerLogs logs;
  logs.error_log = std::make_shared<log::ErrorLog>(target, std::nullopt, log::LevelTable{});
  state.logs = &logs;
  ex.peer_.remote_ip = "10.1.2.3";
  ex.peer_.remote_port = 45678;
  method(http::Method::Post, "POST");
  header("Referer", "http://evil.example/balancer-manager");
  ex.req.body = http::BodyKind::Length;
  ex.pieces = {"b=rc&w=http://127.0.0.1:18102&nonce=" + n() + "&w_lf=3"};
  auto& w = f.store().balancer(-1, "balancer://rc")->member(1);
  const auto factor = w.lbfactor.load();
  run();
  EXPECT_EQ(w.lbfactor.load(), factor); // refused: changes nothing
  EXPECT_NE(target->text.find("[proxy_balancer:error]"), std::string::npos) << target->text;
  EXPECT_NE(
      target->text.find("] [client 10.1.2.3:45678] AH10187: ignoring params in balancer-manager cross-site "
                        "access http://evil.example/balancer-manager: 127.0.0.1, referer: "
                        "http://evil.example/balancer-manager\n"),
      std::string::npos)
      << target->text;
}

} // namespace
} // namespace balancerd::manager::test
