#pragma once
// A front end for the proxy tests: the real HttpServer (one io thread) with a handler that does what
// the pipeline does for a proxied request (ProxyPass matching on the main server, a RequestState with
// env/notes/ctx and an error log kept in memory) and hands it to the ProxyEngine.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "server/balancer/state_store.hpp"
#include "server/log/error_log.hpp"
#include "server/log/log_set.hpp"
#include "server/net/http_server.hpp"
#include "server/pipeline/request_state.hpp"
#include "server/proxy/proxy_engine.hpp"
#include "server/proxypass/pass_match.hpp"
#include "server/runtime/request_config.hpp"
#include "server/tests/net_test_client.hpp"
#include "server/tests/runtime_test_support.hpp"

namespace balancerd::proxy::test {

class MemoryLog final : public log::LogTarget {
public:
  void write(std::string_view lines, int = -1) override {
    std::lock_guard<std::mutex> l(mu_);
    text_.append(lines);
  }
  std::string text() const {
    std::lock_guard<std::mutex> l(mu_);
    return text_;
  }

private:
  mutable std::mutex mu_;
  std::string text_;
};

class Harness final : public net::RequestHandler {
public:
  explicit Harness(const std::string& conf_text, int log_level = log::kWarn) {
    config_ = runtime::testing::compile_text(conf_text);
    if (!config_) return;
    resolver_ = std::make_unique<runtime::RequestConfigResolver>(config_, "main.example");
    store_.sync(*config_);
    engine_ = std::make_unique<ProxyEngine>(store_);
    log_ = std::make_shared<MemoryLog>();
    logs_.levels = log::LevelTable(log_level);
    logs_.error_log = std::make_shared<log::ErrorLog>(log_, std::nullopt, logs_.levels, "main.example");
    net::ServerOptions o;
    o.listen.push_back({"127.0.0.1", 0});
    o.threads = 1;
    o.connection.timeout = std::chrono::milliseconds(5000);
    server_ = std::make_unique<net::HttpServer>(o, std::shared_ptr<net::RequestHandler>(this, [](auto*) {}));
    server_->start();
    port_ = server_->ports().at(0);
  }
  ~Harness() override {
    if (server_) server_->stop();
  }

  bool ok() const { return config_ != nullptr && server_ != nullptr; }
  unsigned short port() const { return port_; }
  std::string error_log() const { return log_ ? log_->text() : std::string(); }
  balancer::StateStore& store() { return store_; }
  // The env of the last request handled (copied when its response completed or at the next request).
  std::string env(std::string_view name) {
    std::lock_guard<std::mutex> l(mu_);
    if (!last_) return {};
    auto v = last_->env.get(name);
    return v ? std::string(*v) : std::string();
  }

  // One request on a new connection.
  net::test::Response fetch(const std::string& raw, bool head_only = false) {
    net::test::Client c(port_, 5000);
    c.send(raw);
    return c.read_response(head_only);
  }

  void handle(net::Exchange& ex) override {
    const auto& req = ex.request();
    std::lock_guard<std::mutex> l(mu_);
    auto& slot = states_[&ex];
    slot = std::make_unique<pipeline::RequestState>();
    auto& st = *slot;
    last_ = &st;
    const auto& sv = resolver_->server(runtime::kMainServer);
    st.server = &sv;
    st.dir = sv.base;
    st.logs = &logs_;
    st.uri.assign(req.path);
    st.ctx.info.useragent_ip = ex.peer().remote_ip;
    st.ctx.info.client_ip = ex.peer().remote_ip;
    st.ctx.info.server_port = ex.peer().local_port;
    st.ctx.info.server_name = "main.example";
    st.ctx.raw_headers = req.headers;
    st.ctx.environment = &st.env;
    st.ctx.notes = &st.notes;
    proxypass::RequestUri ru;
    ru.raw_target = req.target;
    ru.uri = st.uri;
    if (req.target.find('?') != std::string_view::npos) ru.query = req.query;
    auto m = proxypass::match_proxy_pass(sv.merged.proxy, &*sv.base->proxy, ru);
    if (m.result != proxypass::PassResult::Proxy) return ex.send_error(404);
    st.filename = m.filename;
    ex.set_handler_state(&st);
    engine_->handle(ex, st, std::move(m.target));
  }

  // What the pipeline's head hook does for the proxy: an error page keeps the fields the handler
  // kept for it (a 401's WWW-Authenticate under ProxyErrorOverride).
  void on_head(net::Exchange& ex, http::ResponseHead& head, bool error_page) override {
    auto* st = static_cast<pipeline::RequestState*>(ex.handler_state());
    if (st && error_page)
      for (const auto& f : st->error_page_fields) head.add(f.name, f.value);
  }

private:
  std::shared_ptr<const directives::Config> config_;
  std::unique_ptr<runtime::RequestConfigResolver> resolver_;
  balancer::StateStore store_;
  std::unique_ptr<ProxyEngine> engine_;
  std::shared_ptr<MemoryLog> log_;
  log::ServerLogs logs_;
  std::unique_ptr<net::HttpServer> server_;
  unsigned short port_ = 0;
  std::mutex mu_;
  std::map<const net::Exchange*, std::unique_ptr<pipeline::RequestState>> states_;
  pipeline::RequestState* last_ = nullptr;
};

inline std::string get(std::string_view path, std::string_view extra = {}) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: front.example\r\n" + std::string(extra) + "\r\n";
}

} // namespace balancerd::proxy::test
