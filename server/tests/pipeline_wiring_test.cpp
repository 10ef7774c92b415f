// The request path end to end over real sockets: a config compiled from text, the Pipeline behind
// an HttpServer, a client on loopback. Checks what the pipeline wires together: the access-log line
// of each finished request (status, bytes, %X, env, headers), mod_headers on success and error
// responses, SetEnvIf/SetEnv/RequestHeader at their phases, and mod_proxy's translate step (ProxyPass
// before Alias, the proxy handler reached with a backend that is another HttpServer).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "directives/compile.hpp"
#include "server/balancer/state_store.hpp"
#include "server/net/http_server.hpp"
#include "server/pipeline/pipeline.hpp"
#include "server/proxy/proxy_engine.hpp"
#include "server/tests/net_test_client.hpp"

namespace fs = std::filesystem;
using namespace balancerd;
using net::test::Client;
using net::test::Response;

namespace {

constexpr const char* kModules = "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
                                 "LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n"
                                 "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
                                 "LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\n"
                                 "LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so\n"
                                 "LoadModule env_module /usr/lib/apache2/modules/mod_env.so\n"
                                 "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\n"
                                 "LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so\n";

// A backend: answers every request with its path and one request header.
class EchoBackend : public net::RequestHandler {
public:
  void handle(net::Exchange& ex) override {
    const auto& req = ex.request();
    const auto* h = req.find("X-Req");
    body_ = "backend " + std::string(req.target) + " x-req=" + (h ? std::string(h->value) : "-");
    ex.respond(200, "text/plain", body_);
  }

private:
  std::string body_; // one request at a time in these tests
};

struct Served {
  fs::path dir;
  std::unique_ptr<balancer::StateStore> store;
  std::unique_ptr<proxy::ProxyEngine> engine;
  std::shared_ptr<pipeline::Pipeline> pipeline;
  std::unique_ptr<net::HttpServer> server;
  unsigned short port = 0;

  explicit Served(const std::string& extra, bool with_proxy = false) {
    dir = fs::temp_directory_path() /
          ("bd-pipeline-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(dir);
    fs::create_directories(dir / "htdocs");
    fs::create_directories(dir / "alias");
    std::ofstream(dir / "htdocs" / "a.txt") << "hello\n";
    std::ofstream(dir / "alias" / "x") << "from alias\n";
    std::ofstream conf(dir / "server.conf");
    conf << kModules << "ServerName localhost\nListen 127.0.0.1:80\n"
         << "ErrorLog " << (dir / "error.log").string() << "\n"
         << "DocumentRoot " << (dir / "htdocs").string() << "\n"
         << "LogFormat \"%>s %b %X %{ENVX}e %{X-Out}o %{X-In}i %m %U%q\" t\n"
         << "CustomLog " << (dir / "access.log").string() << " t\n"
         << extra;
    conf.close();
    parser::ReadOptions read;
    read.server_root = dir.string();
    read.config_file = (dir / "server.conf").string();
    directives::Diagnostics diag("balancerd", [](const directives::LogRecord&) {});
    directives::CompileResult compiled = directives::compile_config(read, diag);
    auto logs = std::make_shared<const log::LogSet>(log::LogSet::open(*compiled.config));
    pipeline::Services services;
    if (with_proxy) {
      store = std::make_unique<balancer::StateStore>();
      store->sync(*compiled.config);
      engine = std::make_unique<proxy::ProxyEngine>(*store);
      services = {engine.get(), store.get()};
    }
    pipeline = std::make_shared<pipeline::Pipeline>(
        pipeline::Snapshot::build(compiled.config, "localhost", logs), services);
    net::ServerOptions so;
    so.listen.push_back({"127.0.0.1", 0});
    so.threads = 1;
    server = std::make_unique<net::HttpServer>(so, pipeline);
    server->start();
    port = server->ports().at(0);
  }
  ~Served() {
    server->stop();
    server.reset();
    pipeline.reset();
    fs::remove_all(dir);
  }

  // The access log's lines once `n` are there (lines are written when responses finish).
  std::vector<std::string> log_lines(std::size_t n) const {
    std::vector<std::string> lines;
    for (int i = 0; i < 200; ++i) {
      lines.clear();
      std::ifstream in(dir / "access.log");
      for (std::string l; std::getline(in, l);) lines.push_back(l);
      if (lines.size() >= n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return lines;
  }

  static int& counter() {
    static int c = 0;
    return c;
  }
};

Response get(unsigned short port, const std::string& target, const std::string& headers = "") {
  Client c(port);
  c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "Connection: close\r\n\r\n");
  return c.read_response();
}

bool have_modules() {
  return fs::exists("/usr/lib/apache2/modules/mod_headers.so");
}

} // namespace

TEST(PipelineWiring, AccessLogLinePerRequestWithStatusBytesAndKeepAliveFlag) {
  if (!have_modules()) GTEST_SKIP() << "no Apache modules";
  Served s("");
  {
    Client c(s.port);
    c.send("GET /a.txt?q=1 HTTP/1.1\r\nHost: localhost\r\nX-In: in1\r\n\r\n");
    Response a = c.read_response();
    EXPECT_EQ(a.status, 200);
    c.send("GET /missing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    Response b = c.read_response();
    EXPECT_EQ(b.status, 404);
  }
  auto lines = s.log_lines(2);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "200 6 + - - in1 GET /a.txt?q=1");
  EXPECT_EQ(lines[1].rfind("404 236 - - - - GET /missing", 0), 0u) << lines[1];
}

TEST(PipelineWiring, MalformedRequestIsLoggedToo) {
  if (!have_modules()) GTEST_SKIP() << "no Apache modules";
  Served s("");
  Client c(s.port);
  c.send("GARBAGE\r\n\r\n");
  Response r = c.read_response();
  EXPECT_EQ(r.status, 400);
  auto lines = s.log_lines(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("400 266 - - - - GARBAGE", 0), 0u) << lines[0];
}

TEST(PipelineWiring, HeaderRulesOnSuccessAndAlwaysOnErrors) {
  if (!have_modules()) GTEST_SKIP() << "no Apache modules";
  Served s("Header set X-Out ok\nHeader always set X-Al yes\n"
           "<Location /a.txt>\n  Header set X-Loc here\n</Location>\n");
  Response ok = get(s.port, "/a.txt");
  EXPECT_EQ(ok.header("X-Out"), "ok");
  EXPECT_EQ(ok.header("X-Al"), "yes");
  EXPECT_EQ(ok.header("X-Loc"), "here");
  // err_headers_out first on the wire
  EXPECT_LT(ok.head.find("X-Al:"), ok.head.find("X-Out:"));
  Response missing = get(s.port, "/missing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("X-Out"), "");
  EXPECT_EQ(missing.header("X-Al"), "yes");
  auto lines = s.log_lines(2);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("200 6 - - ok", 0), 0u) << lines[0];
}

TEST(PipelineWiring, SetEnvIfSetEnvAndRequestHeaderReachLogAndHeaders) {
  if (!have_modules()) GTEST_SKIP() << "no Apache modules";
  Served s("SetEnvIf X-In ^(t.*)$ ENVX=got-$1\n"
           "<Location /a.txt>\n  SetEnvIf Request_URI a ENVLOC=1\n</Location>\n"
           "SetEnv FIXED fixed\n"
           "RequestHeader set X-Added \"%{FIXED}e\"\n"
           "Header set X-Loc-Env \"%{ENVLOC}e\"\n"
           "Header set X-Echo \"expr=%{req:X-Added}\"\n");
  Response r = get(s.port, "/a.txt", "X-In: tok\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("X-Loc-Env"), "1");
  EXPECT_EQ(r.header("X-Echo"), "fixed");
  auto lines = s.log_lines(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("200 6 - got-tok", 0), 0u) << lines[0];
}

TEST(PipelineWiring, IfSectionSeesTheRequest) {
  if (!have_modules()) GTEST_SKIP() << "no Apache modules";
  Served s("<If \"%{QUERY_STRING} == 'x'\">\n  Header set X-If yes\n</If>\n");
  EXPECT_EQ(get(s.port, "/a.txt?x").header("X-If"), "yes");
  EXPECT_EQ(get(s.port, "/a.txt?y").header("X-If"), "");
}

TEST(PipelineWiring, ServerSignatureOfTheSectionOnErrorPages) {
  if (!have_modules()) GTEST_SKIP() << "no Apache modules";
  Served s("ServerAdmin admin@example.com\n<Location /m>\n  ServerSignature EMail\n</Location>\n");
  EXPECT_EQ(get(s.port, "/nothing").body.find("<address>"), std::string::npos);
  EXPECT_NE(get(s.port, "/m/nothing").body.find("mailto:admin@example.com"), std::string::npos);
}

TEST(PipelineWiring, ProxyPassMapsBeforeAliasAndReachesTheBackend) {
  if (!have_modules()) GTEST_SKIP() << "no Apache modules";
  auto backend_handler = std::make_shared<EchoBackend>();
  net::ServerOptions bo;
  bo.listen.push_back({"127.0.0.1", 0});
  bo.threads = 1;
  net::HttpServer backend(bo, backend_handler);
  backend.start();
  const std::string url = "http://127.0.0.1:" + std::to_string(backend.ports().at(0));
  Served s("Alias /p " + (fs::temp_directory_path() / "nowhere").string() + "\n" + "ProxyPass /p " + url +
               "/b\n" + "RequestHeader set X-Req fromfixup\n" + "Header set X-Out proxied\n",
           true);
  Response r = get(s.port, "/p/x?y=1");
  EXPECT_EQ(r.status, 200) << r.head;
  EXPECT_EQ(r.body, "backend /b/x?y=1 x-req=fromfixup");
  EXPECT_EQ(r.header("X-Out"), "proxied");
  auto lines = s.log_lines(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("200 ", 0), 0u) << lines[0];
  backend.stop();
}

TEST(PipelineWiring, ProxyRequestWithoutEngineIs500) {
  if (!have_modules()) GTEST_SKIP() << "no Apache modules";
  Served s("ProxyPass /p http://127.0.0.1:9/\n");
  EXPECT_EQ(get(s.port, "/p/x").status, 500);
  EXPECT_EQ(get(s.port, "/a.txt").status, 200);
}

TEST(PipelineWiring, DeniedRequestLogsAH01630AndInfoLevelLogs404) {
  if (!have_modules()) GTEST_SKIP() << "no Apache modules";
  Served s("LogLevel info\n<Location /a.txt>\n  Require all denied\n</Location>\n");
  EXPECT_EQ(get(s.port, "/a.txt", "Referer: http://r/\r\n").status, 403);
  EXPECT_EQ(get(s.port, "/gone").status, 404);
  s.log_lines(2); // both finished
  std::ifstream in(s.dir / "error.log");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("[authz_core:error]"), std::string::npos) << text;
  EXPECT_NE(text.find("] [client 127.0.0.1:"), std::string::npos) << text;
  EXPECT_NE(text.find("AH01630: client denied by server configuration: " +
                      (s.dir / "htdocs" / "a.txt").string() + ", referer: http://r/"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("AH00128: File does not exist: " + (s.dir / "htdocs" / "gone").string()),
            std::string::npos)
      << text;
}
