#include "server/proxy/proxy_request.hpp"

#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/backend/backend_pools.hpp"
#include "server/backend/body_relay.hpp"
#include "server/backend/response_body.hpp"
#include "server/backend/response_parser.hpp"
#include "server/balancer/select.hpp"
#include "server/balancer/state_store.hpp"
#include "server/handlers/owned_body.hpp"
#include "server/http/response.hpp"
#include "server/log/error_log.hpp"
#include "server/log/log_set.hpp"
#include "server/net/io_thread.hpp"
#include "server/pipeline/request_log.hpp"
#include "server/pipeline/snapshot.hpp"
#include "server/pipeline/thread_recycler.hpp"
#include "server/proxy/backend_request.hpp"
#include "server/proxy/client_response.hpp"
#include "server/proxy/interim_response.hpp"
#include "server/proxy/proxied_type.hpp"
#include "server/proxy/proxy_error.hpp"
#include "server/proxy/tunnel.hpp"
#include "server/proxypass/backend_url.hpp"
#include "server/proxypass/reverse_map.hpp"
#include "server/proxypass/string_pool.hpp"
#include "server/proxypass/worker_lookup.hpp"
#include "server/runtime/request_config.hpp"

namespace balancerd::proxy {

namespace asio = boost::asio;
using backend::BackendError;
using Clock = std::chrono::system_clock;

namespace {

// mod_proxy_http prefetches this much of a chunked request body: a body that ends within it goes to
// the backend with a Content-Length (MAX_MEM_SPOOL).
constexpr std::size_t kPrefetchLimit = 16384;
// AP_MAX_INTERIM_RESPONSES: the 10th interim response from a backend is an error.
constexpr int kMaxInterim = 10;
constexpr std::string_view kLastChunk = "0\r\n\r\n";
constexpr std::string_view kCrlf = "\r\n";

// Requests alive in this process (tests check that every one is freed).
std::atomic<std::size_t> in_flight{0};

const directives::WorkerParams& default_params() {
  static const directives::WorkerParams p;
  return p;
}

int to_level(balancer::LogSeverity s) {
  switch (s) {
  case balancer::LogSeverity::Error:
    return log::kError;
  case balancer::LogSeverity::Warn:
    return log::kWarn;
  case balancer::LogSeverity::Info:
    return log::kInfo;
  case balancer::LogSeverity::Debug:
    return log::kDebug;
  }
  return log::kError;
}

// apache2 reports a connect, an acquire or a read that ran out of time as APR_TIMEUP, not as ETIMEDOUT,
// and a body cut short by the backend's close as APR_INCOMPLETE.
constexpr int kAprTimeup = 70007;
constexpr int kAprIncomplete = 70008;

int errno_of(BackendError e) {
  switch (e) {
  case BackendError::Refused:
    return ECONNREFUSED;
  case BackendError::ConnectTimeout:
  case BackendError::AcquireTimeout:
  case BackendError::Timeout:
    return kAprTimeup;
  case BackendError::Reset:
    return ECONNRESET;
  default:
    return 0;
  }
}

// The host part of ServerName ("[scheme://]host[:port]").
std::string_view server_name_host(std::string_view name) {
  if (auto p = name.find("://"); p != std::string_view::npos) name.remove_prefix(p + 3);
  if (!name.empty() && name.front() == '[') {
    auto close = name.find(']');
    return close == std::string_view::npos ? name : name.substr(0, close + 1);
  }
  if (auto c = name.find(':'); c != std::string_view::npos) name = name.substr(0, c);
  return name;
}

class Request;

// ProxyPassReverse* for one request, over the merged per-dir and server settings.
class Reverse final : public ReverseMapper {
public:
  const directives::ProxyServerConf* server = nullptr;
  const directives::ProxyDirConf* dir = nullptr;
  proxypass::SelfUrl self;
  proxypass::EnvLookup env;
  std::string_view map_url(std::string_view v, std::string& scratch) const override {
    scratch = proxypass::reverse_url(*server, *dir, v, self, env);
    return scratch;
  }
  std::string_view map_cookie(std::string_view v, std::string& scratch) const override {
    scratch = proxypass::reverse_cookie(*dir, v, env);
    return scratch;
  }
};

// The buffers of a request, kept per io thread and reused (warm capacity: no allocation per request
// once a thread has served a few). Two sets: what the request side writes (the balancer's cookie,
// the prefetched body, the error note, the attempt's URL) is taken when the request starts; what
// only the response needs (the parser and the head's strings) is taken when the response is read
// (read_response). At 512 connections a request waits for its backend while hundreds of others run:
// a set held across that wait is cold again when the answer comes, where one taken from the
// per-thread LIFO list at that moment is the set the previous response just used.
struct RequestBuffers {
  std::string cookie, prefetch, note;
  std::string url; // the attempt's backend URL
  void clear() { clear_strings({&cookie, &prefetch, &note, &url}); }
  static void clear_strings(std::initializer_list<std::string*> strings) {
    for (auto* s : strings) {
      if (s->empty()) continue; // clear() would still write the (cold) buffer's first byte
      s->clear();
      if (s->capacity() > 65536) s->shrink_to_fit(); // a big spooled body is not kept around
    }
  }
};

struct ResponseBuffers {
  backend::ResponseParser parser;
  std::string reason, scratch, head_out;
  void clear() { RequestBuffers::clear_strings({&reason, &scratch, &head_out}); }
};

// The body's decoder and relay, taken by on_final_head when a body follows (reset and started there
// before each use): they outlive the head's buffers, which go back as soon as the head is written.
struct RelayBuffers {
  backend::ResponseBody body;
  backend::BodyRelay relay;
  void clear() {}
};

// Buffers are cleared when taken, where the request is about to use their lines anyway: clearing
// them at the end of the request read four cold cache lines a request at 512 connections. A request
// that may have grown one of them (`grew`: a body, cookies, an error page, interim or upgrade heads)
// clears them when it ends, so that a big one is not kept around in the list.
template <class B> class BufferList {
public:
  static std::unique_ptr<B> take() {
    auto& free = list();
    if (free.empty()) return std::make_unique<B>();
    auto b = std::move(free.back());
    free.pop_back();
    b->clear();
    return b;
  }
  static void give_back(std::unique_ptr<B> b, bool grew) {
    auto& free = list();
    if (!b || free.size() >= 256) return;
    if (grew) b->clear();
    free.push_back(std::move(b));
  }

private:
  static std::vector<std::unique_ptr<B>>& list() {
    thread_local std::vector<std::unique_ptr<B>> free;
    return free;
  }
};

// Gives a request's response buffers back to the thread's list when it goes out of scope: set up
// before the call that writes the response head (which may end the request and free it), so that
// nothing of the request is touched after that call.
class HeadBuffersReturn {
public:
  HeadBuffersReturn(std::unique_ptr<ResponseBuffers> b, bool grew) : b_(std::move(b)), grew_(grew) {}
  ~HeadBuffersReturn() { BufferList<ResponseBuffers>::give_back(std::move(b_), grew_); }
  HeadBuffersReturn(const HeadBuffersReturn&) = delete;
  HeadBuffersReturn& operator=(const HeadBuffersReturn&) = delete;
  ResponseBuffers& operator*() const { return *b_; }

private:
  std::unique_ptr<ResponseBuffers> b_;
  bool grew_;
};

// The backend request head is built into a buffer lent from a per-thread LIFO list only while its
// write is under way (a write usually completes at once): the few buffers in use stay in cache,
// where one buffer per request in flight was cold memory at 512 connections (~7 L2 write misses a
// request).
thread_local std::vector<std::string> free_heads;

void take_head(std::string& out) {
  if (out.capacity() > 15 || free_heads.empty()) return; // holds one already, or none to lend
  out.swap(free_heads.back());
  free_heads.pop_back();
}

void give_back_head(std::string& head) {
  if (head.capacity() <= 15) return; // nothing on loan
  if (free_heads.size() < 32 && head.capacity() <= 16384) {
    head.clear();
    free_heads.push_back(std::move(head));
  }
  head = std::string();
}

enum class Phase : unsigned char { Connecting, SendingHead, SendingBody, Waiting100, ReadingHead, Relaying };

class Request {
public:
  Request(balancer::StateStore& store, net::Exchange& ex, pipeline::RequestState& state,
          proxypass::ProxyTarget target)
      : ex_(ex), st_(state), forward_(target.forward), store_(store), target_(std::move(target)) {
    ++in_flight;
  }
  ~Request() {
    give_back_head(backend_head_);
    BufferList<RelayBuffers>::give_back(std::move(relay_bufs_), false);
    BufferList<ResponseBuffers>::give_back(std::move(rsp_), grew_);
    BufferList<RequestBuffers>::give_back(std::move(buf_), grew_);
    // The canonical URL's buffer came from the mapping's pool (pass_match.cpp): reused by the next one.
    proxypass::give_back_pooled_string(target_.url);
    --in_flight;
  }
  // One ~2 KB object per request: recycled per thread (see thread_recycler.hpp).
  static void* operator new(std::size_t n) { return pipeline::ThreadRecycler<Request>::allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept {
    pipeline::ThreadRecycler<Request>::release(p, n);
  }

  void start();

private:
  // ---- setup ----
  bool load_config();
  void select_member();
  void on_selected(balancer::Selection sel);
  void use_direct_worker();
  bool prepare_backend(std::string_view url, const directives::Worker* cfg, std::string_view pool_name);
  struct WorkerMemo;
  WorkerMemo& worker_memo(const directives::Worker& cfg);
  std::shared_ptr<const backend::BackendTlsContext> backend_tls(const backend::BackendEndpoint& ep);
  void begin_attempt();
  void acquire();
  void on_acquired(BackendError err, backend::BackendLease lease);
  void connect_failed(BackendError err);
  void attempt_failed(int status);

  // ---- request ----
  void prefetch_body();
  void send_head();
  void on_head_written(BackendError err);
  void stream_body();
  void on_body_piece(const net::BodyPiece& piece);
  void on_body_written(BackendError err);
  void finish_chunked_body();

  // ---- response ----
  void read_response();
  void count_sent();
  void parse_response(std::span<const char> data);
  // Takes the response's buffers (first bytes of the response) and resets the parser (each attempt).
  void ready_parser();
  void on_read(BackendError err, std::span<const char> data);
  void on_final_head(std::span<const char> rest);
  void on_relay_done(const backend::RelayResult& r);
  void start_tunnel(std::span<const char> rest, std::span<const Field> fields, const ReverseMapper* reverse);
  // mod_proxy_wstunnel's own handler (ProxyWebsocketFallbackToProxyHttp Off, a ws:// or wss://
  // worker): no response parsing, the backend's bytes go to the client as they come.
  bool legacy_ws() const {
    return dconf_->ws_fallback_to_http == false && burl_ &&
           (http::iequals(burl_->scheme, "ws") || http::iequals(burl_->scheme, "wss"));
  }
  bool refuse_legacy_upgrade();
  void start_legacy_tunnel();

  // ---- endings ----
  bool can_retry_fresh() const;
  void retry_fresh();
  void fail_backend(int status, std::string_view reason, bool proxy_error);
  void fail_client_body(int error);
  void complete(int final_status);
  void finish(); // frees this
  // Gives the connection back (reusable) or closes it, after counting its bytes.
  void drop_lease(bool reusable = false);
  void post_request(int status);

  void log_line(log::ModuleIndex m, int level, int os_error, bool with_client, std::string_view text);
  void log_events(const std::vector<balancer::LogEvent>& events, log::ModuleIndex m);
  // The client waits for a 100 it can only get from the backend: it sent Expect on a bodyless
  // request (with a body, the connection sends its own 100 when the body is read).
  bool expect_relay_100() const {
    const auto& req = ex_.request();
    return req.expect_continue && req.body == http::BodyKind::None && dconf_->continue_100.value_or(true) &&
           !st_.env.get("force-proxy-request-1.0");
  }
  bool log_on(log::ModuleIndex m, int level) const {
    return st_.logs && st_.logs->error_log && pipeline::request_levels(st_).enabled(m, level);
  }

  // Members are ordered by when they are used: at 512 connections this object is out of cache again
  // by the time the backend answers, so what the response path reads is packed into its first lines.
  // ---- read on the response path ----
  net::Exchange& ex_;
  pipeline::RequestState& st_;
  // The response's buffers (see ResponseBuffers), taken when the response's first bytes (or its
  // end) arrive; the parser is reset there for each attempt (parser_ready_, with popt_).
  std::unique_ptr<ResponseBuffers> rsp_;
  backend::ParserOptions popt_;
  std::unique_ptr<RelayBuffers> relay_bufs_; // from on_final_head, when a body is relayed
  backend::ResponseParser& parser() { return rsp_->parser; }
  std::string& reason_text() { return rsp_->reason; }
  std::string& head_scratch() { return rsp_->scratch; }
  std::string& head_out() { return rsp_->head_out; }
  const directives::ProxyServerConf* sconf_ = nullptr;
  const directives::ProxyDirConf* dconf_ = nullptr;
  backend::BackendLease lease_;
  balancer::BalancerState* balancer_ = nullptr;
  balancer::WorkerState* worker_ = nullptr;
  std::span<const char> pending_; // response bytes read while the request body was still going
  std::uint64_t base_to_ = 0;     // the connection's write counter at acquire (or at the last count_sent)
  // Bytes this request moved to / from the backend, as Apache counts them ("To"/"From"): every request
  // byte written; from the response, each status line without its CRLF and the decoded body bytes
  // (field lines and chunk framing are not counted), or what a tunnel read from the backend.
  std::uint64_t sent_ = 0, received_ = 0;
  int final_status_ = 0;
  int interim_ = 0;
  Phase phase_ = Phase::Connecting;
  directives::ProxyVia via_ = directives::ProxyVia::Off;
  bool forward_ = false; // target_.forward
  bool keep_alive_ = true;
  bool body_done_ = false;
  bool expect_100_ = false;
  bool ping_ = false;
  bool got_response_bytes_ = false;
  bool timed_out_ = false;
  bool post_done_ = false;
  bool grew_ = false;               // a buffer other than the URL, reason and scratch was written (give_back)
  bool parser_ready_ = false;       // the parser was reset for this attempt
  bool backend_keep_alive_ = false; // the final head's keep_alive() (the parser may be gone)
  unsigned self_port_ = 80;         // the front end's port as Apache reports it (Via, ProxyPassReverse)
  // ServerName's host (X-Forwarded-Server, Via): a view into the configuration or the request's facts,
  // both of which outlive this request.
  std::string_view server_host_;
  std::string via_value_;

  // ---- the rest ----
  balancer::StateStore& store_;
  proxypass::ProxyTarget target_;
  asio::io_context* io_ = nullptr;
  std::unique_ptr<RequestBuffers> buf_ = BufferList<RequestBuffers>::take();
  std::string& cookie_ = buf_->cookie;
  std::string& prefetch_ = buf_->prefetch;
  std::string& note_ = buf_->note;

  // Configuration of this request.
  int server_index_ = -1;
  directives::Micros proxy_timeout_{0}, server_timeout_{std::chrono::seconds(60)};

  // Balancer state.
  const directives::Balancer* balancer_conf_ = nullptr;
  balancer::FailoverLoop loop_;
  // A balancer whose members are all busy makes the request wait (rare): the timer and the selection
  // being retried live apart, not in every request.
  struct Waiting {
    explicit Waiting(asio::io_context& io) : timer(io) {}
    asio::steady_timer timer;
    balancer::Selection sel;
  };
  std::unique_ptr<Waiting> wait_;

  // The worker of the current attempt.
  const directives::WorkerParams* wparams_ = nullptr;
  std::string& url_ = buf_->url; // the backend URL of this attempt
  std::optional<proxypass::BackendUrl> burl_;
  std::shared_ptr<backend::BackendPool> pool_;
  // The attempt's backend (prepare_backend found pool_ for it).
  const backend::BackendEndpoint& endpoint() const { return pool_->endpoint(); }
  bool fresh_retry_used_ = false;
  bool allow_reuse_ = true;

  // Request body.
  BodyFraming framing_ = BodyFraming::None;
  bool body_prefetched_ = false; // the whole (chunked) body sits in prefetch_
  bool body_consumed_ = false;   // client body bytes were sent that we cannot send again
  std::chrono::milliseconds saved_timeout_{0};
  char chunk_line_[24];
  std::array<std::span<const char>, 4> pieces_;
  std::string backend_head_; // on loan (take_head) from send_head until its write completes

  std::string_view upgrade_;       // the protocol asked of the backend (a forwarded Upgrade)
  std::unique_ptr<Tunnel> tunnel_; // after a 101

  // (The error log's views of the connection and the request are built in log_line, when a line is
  // written: as members they were 9 of this object's 30 cache lines, written for every request.)
  std::string_view client_ip() const {
    return st_.ctx.info.useragent_ip.empty() ? ex_.peer().remote_ip : st_.ctx.info.useragent_ip;
  }
};

// ---- setup ----------------------------------------------------------------------------------------

bool Request::load_config() {
  io_ = net::this_thread_io_context();
  if (!st_.server) return false;
  server_index_ = st_.server->index;
  const auto& merged = st_.server->merged;
  sconf_ = &merged.proxy;
  dconf_ = st_.dir ? &*st_.dir->proxy : &*st_.server->merged.dir.proxy;
  if (merged.proxy.timeout) proxy_timeout_ = *merged.proxy.timeout;
  if (merged.core.timeout) server_timeout_ = *merged.core.timeout;
  via_ = merged.proxy.via.value_or(directives::ProxyVia::Off);
  if (merged.core.server_name)
    server_host_ = server_name_host(*merged.core.server_name);
  else
    server_host_ = st_.ctx.info.server_name;

  const auto& req = ex_.request();

  // ap_get_server_port (UseCanonicalName Off): the Host header's port, else ServerName's, else the
  // scheme's default.
  self_port_ = st_.ctx.info.https ? 443 : 80;
  unsigned host_port = 0;
  for (char c : req.port) host_port = host_port * 10 + static_cast<unsigned>(c - '0');
  if (host_port) {
    self_port_ = host_port;
  } else if (merged.core.server_name) {
    std::string_view sn = *merged.core.server_name;
    if (auto p = sn.find("://"); p != std::string_view::npos) sn.remove_prefix(p + 3);
    auto colon = sn.rfind(':');
    if (colon != std::string_view::npos && sn.find(']', colon) == std::string_view::npos) {
      unsigned v = 0;
      auto r = std::from_chars(sn.data() + colon + 1, sn.data() + sn.size(), v);
      if (r.ec == std::errc() && v) self_port_ = v;
    }
  }
  if (via_ == directives::ProxyVia::On || via_ == directives::ProxyVia::Full) {
    via_value_.clear();
    http::append_decimal(via_value_, static_cast<unsigned>(req.version_major));
    via_value_.push_back('.');
    http::append_decimal(via_value_, static_cast<unsigned>(req.version_minor));
    via_value_.push_back(' ');
    via_value_.append(server_host_);
    if (self_port_ != (st_.ctx.info.https ? 443u : 80u)) {
      via_value_.push_back(':');
      http::append_decimal(via_value_, self_port_);
    }
    if (via_ == directives::ProxyVia::Full) via_value_.append(" (Apache/2.4.71)");
  }
  return io_ != nullptr;
}

void Request::start() {
  if (!load_config()) {
    log_line(log::mod::proxy, log::kError, 0, true, "AH01144: No protocol handler was valid for the URL");
    send_error_page(ex_, st_, 500);
    return finish();
  }
  const auto& req = ex_.request();
  // (LimitRequestBody is not applied here: apache2 2.4.71's mod_proxy_http forwards the body whatever
  // the directory's limit, measured by compat-tests/proxy body-limit.)
  // Max-Forwards (mod_proxy's handler): a request that has used them up is refused.
  for (const auto& h : req.headers) {
    if (!http::iequals(h.name, "Max-Forwards")) continue;
    long long v = 0;
    auto r = std::from_chars(h.value.data(), h.value.data() + h.value.size(), v);
    if (r.ec == std::errc() && v == 0 && req.method == http::Method::Options) {
      // The proxy answers for the hop that has none left (ap_send_http_options): only TRACE is
      // known to be allowed here.
      auto& h = ex_.response();
      h.status = 200;
      h.add("Allow", "TRACE");
      h.content_length = 0;
      ex_.write({}, true, {});
      return finish();
    }
    if (r.ec == std::errc() && v == 0 && req.method == http::Method::Trace) {
      // The last hop answers a TRACE itself (ap_send_http_trace): the request echoed, streamed.
      std::string echo;
      echo.append(req.method_text).append(" ").append(req.target).append(" ").append(req.protocol);
      echo.append("\r\n");
      for (const auto& f : req.headers) echo.append(f.name).append(": ").append(f.value).append("\r\n");
      echo.append("\r\n");
      ex_.response().status = 200;
      ex_.response().set_content_type("message/http");
      handlers::write_owned(ex_, std::move(echo), true);
      return finish();
    }
    if (r.ec == std::errc() && v == 0) {
      grew_ = true;
      auto info = proxy_error_page(note_, "Max-Forwards has reached zero - proxy loop?");
      send_error_page(ex_, st_, 400, info);
      return finish();
    }
    break;
  }
  if (!target_.balancer.empty()) {
    balancer_ = store_.balancer(server_index_, target_.balancer);
    balancer_conf_ = proxypass::find_balancer(*sconf_, target_.balancer);
    if (!balancer_) {
      log_line(log::mod::proxy_balancer, log::kError, 0, true,
               "AH01171: " + target_.balancer + ": No workers in balancer");
      send_error_page(ex_, st_, 503);
      return finish();
    }
    st_.for_each_request_header([this](std::string_view n, std::string_view v) {
      if (!http::iequals(n, "Cookie")) return;
      grew_ = true;
      if (!cookie_.empty()) cookie_.append(", ");
      cookie_.append(v);
    });
    return select_member();
  }
  use_direct_worker();
}

void Request::select_member() {
  balancer::RequestFacts facts; // (its `now` reads the clock only if a member's retry check needs it)
  facts.url = target_.url;
  facts.cookie = cookie_;
  on_selected(balancer::select(*balancer_, facts));
}

void Request::on_selected(balancer::Selection sel) {
  log_events(sel.logs, log::mod::proxy_balancer);
  if (sel.status == balancer::SelectStatus::Wait) {
    if (!wait_) wait_ = std::make_unique<Waiting>(*io_);
    wait_->sel = std::move(sel);
    wait_->timer.expires_after(wait_->sel.retry_after);
    wait_->timer.async_wait([this](const boost::system::error_code&) {
      balancer::RequestFacts facts;
      facts.url = target_.url;
      facts.cookie = cookie_;
      on_selected(balancer::select_again(*balancer_, facts, std::move(wait_->sel)));
    });
    return;
  }
  if (sel.status != balancer::SelectStatus::Chosen || !sel.worker) {
    send_error_page(ex_, st_, sel.http_status ? sel.http_status : 503);
    return finish();
  }
  sel.for_each_env([this](std::string_view k, std::string_view v) { st_.env.set(k, v); });
  for (const auto& [k, v] : sel.notes()) st_.notes.set(k, v);
  worker_ = sel.worker;

  // The member's URL followed by the path of balancer://name/path, joined as they are: a member
  // named with a trailing slash ("http://host/") gets "//x", as apache2 sends it.
  std::string_view rest = std::string_view(target_.url).substr(std::min(target_.url.size(), std::size_t{11}));
  auto slash = rest.find_first_of("/?");
  rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  // Written where the attempt keeps its URL (prepare_backend then has nothing to copy).
  std::string& url = url_;
  url.assign(worker_->name());
  url.append(rest);

  const directives::Worker* cfg = nullptr;
  if (balancer_conf_)
    for (const auto& m : balancer_conf_->members)
      if (m.name == worker_->name()) cfg = &m;
  if (log_on(log::mod::proxy_balancer, log::kDebug))
    log_line(log::mod::proxy_balancer, log::kDebug, 0, true,
             "AH01172: " + balancer_->name() + ": worker (" + worker_->name() + ") rewritten to " + url);
  if (!prepare_backend(url, cfg, worker_->name())) return attempt_failed(500);
  begin_attempt();
}

void Request::use_direct_worker() {
  const directives::Worker* cfg = target_.worker;
  if (cfg) worker_ = store_.worker(server_index_, cfg->name);
  if (worker_) {
    if (auto ev = balancer::check_usable(*worker_, Clock::now(), "HTTP")) {
      log_line(log::mod::proxy, to_level(ev->severity), 0, true, ev->text);
      send_error_page(ex_, st_, 503);
      return finish();
    }
  }
  if (!prepare_backend(target_.url, cfg,
                       cfg ? std::string_view(cfg->name) : std::string_view("proxy:reverse"))) {
    send_error_page(ex_, st_, 500);
    return finish();
  }
  begin_attempt();
}

// BackendEndpoint::from_worker of a configured worker, and its BackendSettings for the server's
// timeouts, kept per thread for the configuration the request runs under (lower-casing, string
// copies and the settings' conversions were ~430 instructions a request). An entry is keyed by the
// worker's address and the snapshot's control block: the weak_ptr keeps that block alive, so no
// later snapshot can have it, and a snapshot still in use (this request's) has its workers where
// they were. Without a snapshot (tests driving the engine directly) nothing is kept.
struct Request::WorkerMemo {
  std::weak_ptr<const pipeline::Snapshot> snapshot;
  const directives::Worker* cfg = nullptr;
  backend::BackendEndpoint ep;
  // from_worker(cfg->params, proxy_timeout, server_timeout), when settings_known.
  bool settings_known = false;
  directives::Micros proxy_timeout{0}, server_timeout{0};
  backend::BackendSettings settings;
};

Request::WorkerMemo& Request::worker_memo(const directives::Worker& cfg) {
  thread_local std::array<WorkerMemo, 16> memo;
  thread_local WorkerMemo uncached;
  const auto& snap = st_.snapshot;
  WorkerMemo& m =
      snap ? memo[(reinterpret_cast<std::uintptr_t>(&cfg) / alignof(directives::Worker)) % memo.size()]
           : uncached;
  if (!snap || m.cfg != &cfg || m.snapshot.owner_before(snap) || snap.owner_before(m.snapshot)) {
    m.ep = backend::BackendEndpoint::from_worker(cfg);
    m.cfg = snap ? &cfg : nullptr;
    m.snapshot = snap;
    m.settings_known = false;
  }
  if (!m.settings_known || m.proxy_timeout != proxy_timeout_ || m.server_timeout != server_timeout_) {
    m.settings = backend::BackendSettings::from_worker(cfg.params, proxy_timeout_, server_timeout_);
    m.proxy_timeout = proxy_timeout_;
    m.server_timeout = server_timeout_;
    m.settings_known = true;
  }
  return m;
}

bool Request::prepare_backend(std::string_view url, const directives::Worker* cfg,
                              std::string_view pool_name) {
  if (url.data() != url_.data()) url_.assign(url);
  // Parsed in place: a failover's second attempt reuses the first one's strings.
  if (!burl_) burl_.emplace();
  if (!proxypass::parse_backend_url(url_, *burl_)) {
    burl_.reset();
    return false;
  }
  wparams_ = cfg ? &cfg->params : &default_params();
  // The endpoint is put together in a per-thread scratch (warm) only to find the pool: the pool keeps
  // an equal one, which the rest of the request reads (endpoint()). As a member it was 112 bytes and
  // three strings copied and destroyed in cold memory per request. A configured worker's endpoint is
  // used from the thread's memo as it is, unless this request adds to it.
  thread_local backend::BackendEndpoint scratch;
  const backend::BackendEndpoint* use = &scratch;
  backend::BackendSettings own_settings;
  const backend::BackendSettings* settings = &own_settings;
  if (cfg) {
    const WorkerMemo& m = worker_memo(*cfg);
    use = &m.ep;
    settings = &m.settings;
  } else if (auto parsed = backend::BackendEndpoint::from_url(url_)) {
    scratch = std::move(*parsed);
  } else {
    return false;
  }
  const bool add_uds = !target_.uds_path.empty() && use->uds_path.empty();
  if (add_uds || sconf_->source_address) {
    if (use != &scratch) scratch = *use;
    if (add_uds) scratch.uds_path = target_.uds_path;
    if (sconf_->source_address) scratch.source_address = *sconf_->source_address;
    use = &scratch;
  }
  const backend::BackendEndpoint& ep = *use;
  if (!cfg) own_settings = backend::BackendSettings::from_worker(*wparams_, proxy_timeout_, server_timeout_);
  if (ep.scheme == backend::BackendScheme::Https) {
    if (settings != &own_settings) own_settings = *settings;
    if (!(own_settings.tls = backend_tls(ep))) return false;
    settings = &own_settings;
  }
  // (pool_name views the worker's name, the configuration or a literal: no copy is needed.)
  pool_ = backend::BackendPools::of(*io_).get(pool_name, ep, *settings);
  return true;
}

// https:// and wss:// backends: mod_ssl's proxy side (SSLProxy* of the request's <Proxy> section over
// the server's). Without SSLProxyEngine On, or with settings that cannot be loaded, Apache cannot
// enable TLS for the connection: the request ends with 500.
std::shared_ptr<const backend::BackendTlsContext> Request::backend_tls(const backend::BackendEndpoint& ep) {
  const auto& sp = st_.server->merged.ssl->proxy;
  const directives::SslProxySide* dp = st_.dir ? &st_.dir->ssl->proxy : nullptr;
  const bool engine = dp && dp->engine ? *dp->engine : sp.engine.value_or(false);
  std::string error;
  std::shared_ptr<const backend::BackendTlsContext> ctx;
  if (engine)
    ctx = backend::BackendPools::of(*io_).tls_context(backend::BackendTlsOptions::from_config(sp, dp), error);
  if (!ctx) {
    log_line(log::mod::core, log::kError, 0, false,
             "AH01961:  failed to enable ssl support [Hint: if using mod_ssl, see SSLProxyEngine]" +
                 (error.empty() ? std::string() : " (" + error + ")"));
    log_line(log::mod::proxy, log::kError, 0, false,
             "AH00961: " + std::string(burl_->scheme) + ": failed to enable ssl support for " +
                 ep.host_port() + " (" + ep.host + ")");
  }
  return ctx;
}

void Request::begin_attempt() {
  const auto& req = ex_.request();
  if (legacy_ws()) {
    if (refuse_legacy_upgrade()) return;
    framing_ = BodyFraming::None; // the legacy request never carries the body
    return acquire();
  }
  timed_out_ = false;
  got_response_bytes_ = false;
  interim_ = 0;
  // The request body strategy (spec §7.4): Content-Length streams as is; a chunked body is prefetched
  // up to 16 KiB and sent with a Content-Length when it ends within that, else chunked.
  const bool force10 = st_.env.get("force-proxy-request-1.0").has_value();
  const bool has_body = req.body != http::BodyKind::None;
  const bool continue_on = dconf_->continue_100.value_or(true);
  // ping=: Apache adds "Expect: 100-Continue" itself and waits `ping` for the backend's 100 as a
  // liveness probe (only while the body can still be sent elsewhere).
  ping_ = wparams_->ping_timeout_set && wparams_->ping_timeout.count() > 0 && has_body && !target_.forward &&
          !force10 && !body_consumed_ && !body_prefetched_;
  expect_100_ =
      (has_body && req.expect_continue && continue_on && !force10 && !body_consumed_ && !body_prefetched_) ||
      ping_;
  if (!has_body) {
    // A declared empty body keeps its "Content-Length: 0" (POST with no data).
    framing_ = req.find("Content-Length") ? BodyFraming::Length : BodyFraming::None;
  } else if (req.body == http::BodyKind::Length) {
    framing_ = BodyFraming::Length;
  } else if (!body_prefetched_ && !expect_100_) {
    // Prefetch before connecting (as Apache does), so a failover can send the body again. Even with
    // proxy-sendchunked, a body that ends within the prefetch goes with a Content-Length (apache2).
    return prefetch_body();
  } else if (!body_prefetched_) {
    framing_ = BodyFraming::Chunked;
  }
  acquire();
}

void Request::prefetch_body() {
  const auto& req = ex_.request();
  const bool spool_all = st_.env.get("proxy-sendcl").has_value() ||
                         st_.env.get("force-proxy-request-1.0").has_value() || req.version() < 1001;
  ex_.read_body([this, spool_all](const net::BodyPiece& piece) {
    if (piece.error) return fail_client_body(piece.error);
    grew_ = true;
    prefetch_.append(piece.data.data(), piece.data.size());
    if (piece.end) {
      body_prefetched_ = true;
      framing_ = BodyFraming::Length;
      return acquire();
    }
    if (prefetch_.size() >= kPrefetchLimit && !spool_all) {
      // Too big to hold: the rest streams chunked after what we have.
      framing_ = BodyFraming::Chunked;
      body_prefetched_ = false;
      return acquire();
    }
    prefetch_body();
  });
}

void Request::acquire() {
  phase_ = Phase::Connecting;
  backend::AcquireOptions opt;
  opt.allow_reuse = allow_reuse_ && !st_.env.get("proxy-initial-not-pooled");
  // A request that retry_fresh() can send again trusts the pool's idle watch; one whose body will be
  // streamed (and so cannot be replayed) gets Apache's socket check of a reused connection.
  opt.verify_idle = framing_ != BodyFraming::None && !body_prefetched_;
  // An idle connection is used within this call (every caller of acquire() returns right after it,
  // so nothing runs on a half-built state); opening one or waiting goes through the callback.
  if (auto lease = pool_->take_idle_now(opt)) return on_acquired(BackendError::None, std::move(lease));
  pool_->acquire(
      [this](BackendError err, backend::BackendLease lease) { on_acquired(err, std::move(lease)); }, opt);
}

void Request::on_acquired(BackendError err, backend::BackendLease lease) {
  if (err != BackendError::None || !lease) return connect_failed(err);
  lease_ = std::move(lease);
  base_to_ = lease_->bytes_written();
  send_head();
}

void Request::connect_failed(BackendError err) {
  const std::string hp = endpoint().host_port();
  if (err == BackendError::AcquireTimeout) {
    log_line(log::mod::proxy, log::kError, errno_of(err), false,
             "AH00941: http: failed to acquire connection for (" + hp + ")");
  } else {
    std::string addr = endpoint().is_unix() ? endpoint().uds_path : hp;
    log_line(log::mod::proxy, log::kError, errno_of(err), false,
             "AH00957: http: attempt to connect to " + addr + " (" + hp + ") failed");
    if (worker_ && balancer::mark_error(*worker_, Clock::now())) {
      auto ev = balancer::connect_failure_log(*worker_);
      log_line(log::mod::proxy, to_level(ev.severity), 0, false, ev.text);
    }
    log_line(log::mod::proxy_http, log::kError, 0, true,
             "AH01114: HTTP: failed to make connection to backend: " + endpoint().host);
  }
  attempt_failed(503);
}

// A failure before any response reached the client: the failover loop decides (balancers), else the
// status is the answer.
void Request::attempt_failed(int status) {
  drop_lease();
  if (balancer_ && worker_) {
    auto* w = worker_;
    const bool again = loop_.after_attempt(balancer_, *w, status, Clock::now());
    balancer::release(*w, 0, 0);
    worker_ = nullptr;
    if (again) return select_member();
  }
  send_error_page(ex_, st_, status);
  finish();
}

// ---- request --------------------------------------------------------------------------------------

void Request::send_head() {
  const auto& req = ex_.request();
  BackendRequestParams p;
  p.method = req.method_text;
  p.path_query = burl_->request_uri;
  std::string host;
  std::array<char, 256> host_buf;
  const bool preserve = dconf_->preserve_host.value_or(false);
  thread_local std::vector<Field> fields;
  fields.clear();
  std::string_view client_host;
  st_.for_each_request_header([&](std::string_view n, std::string_view v) {
    fields.push_back({n, v});
    if (client_host.empty() && http::iequals(n, "Host")) client_host = v;
  });
  if (preserve) {
    p.host = client_host.empty() ? server_host_ : client_host;
  } else {
    p.host = burl_->host_header(host_buf, host);
  }
  p.http10 = st_.env.get("force-proxy-request-1.0").has_value();
  p.via = static_cast<ViaMode>(via_);
  p.via_value = via_value_;
  // Max-Forwards: decremented when sent by the client, else ProxyMaxForwards when configured.
  if (auto mf = req.find("Max-Forwards")) {
    long long v = 0;
    auto r = std::from_chars(mf->value.data(), mf->value.data() + mf->value.size(), v);
    if (r.ec == std::errc()) p.max_forwards = v > 0 ? v - 1 : 0;
  } else if (sconf_->max_forwards && *sconf_->max_forwards >= 0) {
    p.max_forwards = *sconf_->max_forwards;
  }
  // A bodyless request keeps the client's "Expect: 100-continue" (mod_proxy_http copies it; the
  // backend's 100 is then relayed to the client).
  p.expect_100 = expect_100_ || expect_relay_100();
  p.add_forwarded = dconf_->add_headers.value_or(true) && !target_.forward;
  p.client_ip = client_ip();
  p.server_hostname = server_host_;
  p.drop_proxy_authorization = !st_.ctx.info.remote_user.empty() && !st_.env.get("Proxy-Chain-Auth");
  p.body = framing_;
  if (framing_ == BodyFraming::Length)
    p.content_length = body_prefetched_ ? prefetch_.size() : req.content_length;
  // Apache's default forward and reverse workers (no configured worker matched: forward proxying,
  // ProxyPassMatch with $n in the host, interpolated URLs) do not reuse connections.
  const bool default_worker = !target_.balancer.empty() ? false : target_.worker == nullptr;
  keep_alive_ = wparams_->disablereuse || default_worker || target_.forward
                    ? false
                    : !p.http10 && !st_.env.get("proxy-nokeepalive");
  p.keep_alive = keep_alive_;
  if (legacy_ws()) {
    // The legacy handler asks for the worker's upgrade= value as configured ("*" for ANY), not
    // for the client's, and sends no body and no framing fields.
    p.upgrade =
        wparams_->upgrade.empty() ? std::string_view("WebSocket") : std::string_view(wparams_->upgrade);
    p.body = BodyFraming::None;
    p.expect_100 = false;
  } else {
    for (const auto& f : fields)
      if (http::iequals(f.name, "Upgrade")) {
        p.upgrade = upgrade_ = allowed_upgrade(f.value, wparams_->upgrade, burl_->scheme);
        break;
      }
  }
  take_head(backend_head_);
  backend_head_.clear();
  build_backend_request(backend_head_, p, fields);
  // This attempt's response starts a new parse (ready_parser).
  parser_ready_ = false;
  popt_.field_size = wparams_->response_field_size ? wparams_->response_field_size : 8192;
  popt_.bad_header = sconf_->bad_header.value_or(directives::ProxyBadHeader::IsError);
  popt_.head_request = req.method == http::Method::Head;

  // The head goes out with what is already in hand: the whole prefetched body, or its first chunk.
  std::size_t n = 0;
  pieces_[n++] = std::span<const char>(backend_head_.data(), backend_head_.size());
  if (!expect_100_ && !prefetch_.empty()) {
    if (framing_ == BodyFraming::Chunked) {
      auto len = http::format_chunk_size(prefetch_.size(), chunk_line_);
      pieces_[n++] = std::span<const char>(chunk_line_, len);
      pieces_[n++] = std::span<const char>(prefetch_.data(), prefetch_.size());
      pieces_[n++] = std::span<const char>(kCrlf.data(), kCrlf.size());
    } else {
      pieces_[n++] = std::span<const char>(prefetch_.data(), prefetch_.size());
    }
  }
  phase_ = Phase::SendingHead;
  // A head the socket takes at once goes on (on_head_written) within this call, while this request
  // and the connection are in cache: this is send_head's last statement, so nothing runs after it.
  lease_->write_inline(std::span<const std::span<const char>>(pieces_.data(), n),
                       [this](BackendError err, std::size_t) { on_head_written(err); });
}

void Request::on_head_written(BackendError err) {
  give_back_head(backend_head_); // the write is over: nothing views it any more
  if (legacy_ws()) {
    if (err != BackendError::None) return fail_backend(502, {}, false);
    return start_legacy_tunnel();
  }
  if (err != BackendError::None) {
    if (can_retry_fresh()) return retry_fresh();
    if (err == BackendError::Timeout) return fail_backend(504, {}, false);
    // Apache reads what the backend may have answered before giving up.
    return read_response();
  }
  if (expect_100_) {
    phase_ = Phase::Waiting100;
    if (ping_) {
      saved_timeout_ = lease_->io_timeout();
      lease_->set_io_timeout(std::chrono::duration_cast<std::chrono::milliseconds>(wparams_->ping_timeout));
    }
    return read_response();
  }
  if (framing_ == BodyFraming::None || body_prefetched_) {
    body_done_ = true;
    return read_response();
  }
  stream_body();
}

void Request::stream_body() {
  phase_ = Phase::SendingBody;
  ex_.read_body([this](const net::BodyPiece& piece) { on_body_piece(piece); });
}

void Request::on_body_piece(const net::BodyPiece& piece) {
  if (piece.error) return fail_client_body(piece.error);
  body_consumed_ = true;
  std::size_t n = 0;
  const bool chunked = framing_ == BodyFraming::Chunked;
  if (!piece.data.empty()) {
    if (chunked) {
      auto len = http::format_chunk_size(piece.data.size(), chunk_line_);
      pieces_[n++] = std::span<const char>(chunk_line_, len);
      pieces_[n++] = piece.data;
      pieces_[n++] = std::span<const char>(kCrlf.data(), kCrlf.size());
    } else {
      pieces_[n++] = piece.data;
    }
  }
  if (piece.end) {
    body_done_ = true;
    if (chunked) pieces_[n++] = std::span<const char>(kLastChunk.data(), kLastChunk.size());
  }
  if (n == 0) return piece.end ? read_response() : stream_body();
  lease_->write(std::span<const std::span<const char>>(pieces_.data(), n),
                [this](BackendError err, std::size_t) { on_body_written(err); });
}

void Request::on_body_written(BackendError err) {
  if (err != BackendError::None) {
    if (err == BackendError::Timeout) return fail_backend(504, {}, false);
    // The backend stopped taking the body: it may have answered already (e.g. 413).
    body_done_ = true;
    keep_alive_ = false;
    return read_response();
  }
  if (body_done_) return read_response();
  stream_body();
}

// ---- response -------------------------------------------------------------------------------------

// Apache adds request bytes to the member's "To" as they are passed to the backend, so the manager
// page shows them while the response is still awaited (and for an attempt that fails afterwards).
void Request::count_sent() {
  if (!lease_ || !worker_) return;
  const std::uint64_t written = lease_->bytes_written();
  balancer::count_bytes(*worker_, written - base_to_, 0);
  base_to_ = written;
}

void Request::read_response() {
  count_sent();
  if (phase_ != Phase::Waiting100) phase_ = Phase::ReadingHead;
  if (!pending_.empty()) {
    auto data = pending_;
    pending_ = {};
    return parse_response(data);
  }
  lease_->read_some([this](BackendError err, std::span<const char> data) { on_read(err, data); });
}

void Request::ready_parser() {
  if (!rsp_) rsp_ = BufferList<ResponseBuffers>::take();
  if (parser_ready_) return;
  parser_ready_ = true;
  parser().reset(popt_);
}

void Request::on_read(BackendError err, std::span<const char> data) {
  ready_parser();
  if (err == BackendError::None) {
    got_response_bytes_ = true;
    return parse_response(data);
  }
  if (err == BackendError::Eof) {
    if (!got_response_bytes_ && can_retry_fresh()) return retry_fresh();
    auto r = parser().finish();
    if (r == backend::ResponseParser::Result::Final) return on_final_head({});
  }
  if (err != BackendError::Timeout && !got_response_bytes_) {
    if (can_retry_fresh()) return retry_fresh();
    // mod_proxy_http: no status line (not a timeout) for a reverse-proxied request that is not its
    // client connection's first: the client connection is closed without an answer, so that the
    // client may send the request again (apache2 2.4.71, compat proxy resp-reuse-failure-*); a first
    // request gets the 502 below.
    if (!target_.forward && ex_.keepalives() > 0) {
      if (log_on(log::mod::proxy_http, log::kError))
        log_line(log::mod::proxy_http, log::kError, errno_of(err), true,
                 "AH01104: Closing connection to client because reading from backend server " +
                     endpoint().host_port() + " failed. Number of keepalives " +
                     std::to_string(ex_.keepalives()));
      drop_lease();
      ex_.abort_connection();
      return complete(502);
    }
  }
  if (err == BackendError::Timeout && phase_ == Phase::Waiting100 && ping_) {
    log_line(log::mod::proxy_http, log::kInfo, 0, true,
             "AH01115: HTTP: 100-Continue failed to " + endpoint().host_port() + " (" +
                 endpoint().host_port() + ")");
    if (balancer_) return attempt_failed(503); // the body is still unsent: another member may take it
  }
  if (err == BackendError::Timeout && phase_ == Phase::Waiting100) {
    // The backend never asked for the body it was told about (Apache's 100-Continue ping failure).
    return fail_backend(503, "Timeout on 100-Continue", true);
  }
  if (err == BackendError::Timeout) {
    timed_out_ = true;
    st_.notes.set("proxy_timedout", "1");
  }
  if (log_on(log::mod::proxy_http, log::kError))
    log_line(log::mod::proxy_http, log::kError, errno_of(err), true,
             "AH01102: error reading status line from remote server " + endpoint().host_port());
  fail_backend(502, kErrorReading, true);
}

void Request::parse_response(std::span<const char> data) {
  ready_parser();
  while (true) {
    std::size_t consumed = 0;
    auto r = parser().parse(data, consumed);
    data = data.subspan(std::min(consumed, data.size()));
    switch (r) {
    case backend::ResponseParser::Result::NeedMore:
      return lease_->read_some([this](BackendError err, std::span<const char> d) { on_read(err, d); });
    case backend::ResponseParser::Result::Error: {
      const auto e = parser().error();
      if (e == backend::ResponseError::BadHeader || e == backend::ResponseError::HeaderTooLong) {
        if (log_on(log::mod::proxy_http, log::kWarn)) {
          std::string text = "AH01106: bad HTTP/1.1 header returned by ";
          text.append(st_.uri.empty() ? ex_.request().path : std::string_view(st_.uri));
          text.append(" (");
          text.append(ex_.request().method_text);
          text.push_back(')');
          log_line(log::mod::proxy_http, log::kWarn, 0, true, text);
        }
        return fail_backend(502, {}, false);
      }
      if (e == backend::ResponseError::NoResponse || e == backend::ResponseError::Truncated) {
        log_line(log::mod::proxy_http, log::kError, 0, true,
                 "AH01102: error reading status line from remote server " + endpoint().host_port());
        return fail_backend(502, kErrorReading, true);
      }
      std::string reason(parser().error_reason());
      return fail_backend(502, reason.empty() ? kErrorReading : std::string_view(reason), true);
    }
    case backend::ResponseParser::Result::Interim: {
      received_ += 9 + parser().head().status_line.size(); // "HTTP/1.x " and the rest of the line
      const int status = parser().head().status;
      if (status == 100 && phase_ == Phase::Waiting100) {
        ++interim_;
        if (ping_) lease_->set_io_timeout(saved_timeout_);
        // The backend wants the body: now read it from the client (who gets its "100 Continue").
        pending_ = data;
        phase_ = Phase::SendingBody;
        expect_100_ = false;
        if (!via_value_.empty() && ex_.request().expect_continue && ex_.request().version() >= 1001) {
          // Under ProxyVia On/Full the client's 100 is the backend's, relayed with the proxy's Via
          // (the connection then sends none of its own).
          grew_ = true;
          build_interim_head(head_out(), parser().head(), head_scratch(), via_value_);
          return ex_.write_interim(head_out(), [this](bool) {
            if (framing_ == BodyFraming::None) return read_response();
            stream_body();
          });
        }
        if (framing_ == BodyFraming::None) return read_response();
        return stream_body();
      }
      // Other interim responses go to the client (but a 100: the connection sends its own when the
      // client's body is read), unless proxy-interim-response is Suppress or the client speaks
      // HTTP/1.0; the 10th is one too many (AP_MAX_INTERIM_RESPONSES), after it was relayed.
      const auto policy = st_.env.get("proxy-interim-response");
      if ((status != 100 || expect_relay_100()) && ex_.request().version() >= 1001 &&
          !(policy && http::iequals(*policy, "Suppress"))) {
        grew_ = true;
        build_interim_head(head_out(), parser().head(), head_scratch(), via_value_);
        pending_ = data;
        return ex_.write_interim(head_out(), [this](bool) {
          if (++interim_ >= kMaxInterim)
            return fail_backend(502, "Too many (10) interim responses from origin server", true);
          read_response();
        });
      }
      if (++interim_ >= kMaxInterim)
        return fail_backend(502, "Too many (10) interim responses from origin server", true);
      continue;
    }
    case backend::ResponseParser::Result::Final:
      // An HTTP/0.9 response's first line is body (the relay counts it).
      if (!parser().head().http09) received_ += 9 + parser().head().status_line.size();
      return on_final_head(data);
    }
  }
}

void Request::on_final_head(std::span<const char> rest) {
  const auto& bh = parser().head();
  const auto& req = ex_.request();
  if (ping_ && phase_ == Phase::Waiting100) lease_->set_io_timeout(saved_timeout_);
  final_status_ = bh.http09 ? 200 : bh.status;
  phase_ = Phase::Relaying;
  if (!body_done_) keep_alive_ = false; // the backend answered before taking the whole body

  // ProxyErrorOverride: the local error page replaces the backend's.
  if (dconf_->error_override.value_or(false) && final_status_ >= 400 && final_status_ < 600) {
    const auto& codes = dconf_->error_override_codes;
    bool match = codes.empty();
    for (int c : codes) match = match || c == final_status_;
    if (match) {
      // mod_proxy_http keeps the backend's challenge on a 401 (err_headers_out): the client can
      // still authenticate against the local page. Copied before the lease goes: the fields are
      // views into the connection's read buffer, which returns to the thread's pool with it.
      if (final_status_ == 401)
        for (const auto& f : bh.fields)
          if (http::iequals(f.name, "WWW-Authenticate")) st_.error_page_fields.add(f.name, f.value);
      drop_lease(); // the unread body makes the connection unusable
      post_request(final_status_);
      send_error_page(ex_, st_, final_status_);
      return complete(final_status_);
    }
  }

  post_request(final_status_);
  auto& head = ex_.response(); // fields the pipeline may have put there already stay
  head.status = final_status_;
  if (!bh.http09 && bh.reason_valid) {
    reason_text().assign(bh.reason);
    head.reason = reason_text();
  }
  thread_local std::vector<Field> fields;
  fields.clear();
  for (const auto& f : bh.fields) fields.push_back({f.name, f.value});
  Reverse reverse; // used while the head is built (here or by start_tunnel), not after
  ClientResponseParams p;
  p.status = final_status_;
  p.via = static_cast<ViaMode>(via_);
  p.via_value = via_value_;
  if (!forward_ &&
      (!dconf_->reverse.empty() || !dconf_->cookie_paths.empty() || !dconf_->cookie_domains.empty())) {
    reverse.server = sconf_;
    reverse.dir = dconf_;
    reverse.self.scheme = st_.ctx.info.https ? "https" : "http";
    reverse.self.host = req.host.empty() ? std::string_view(server_host_) : req.host;
    reverse.self.port = static_cast<std::uint16_t>(self_port_);
    if (dconf_->interpolate_env.value_or(false))
      reverse.env = [this](std::string_view n) -> std::optional<std::string> {
        auto v = st_.env.get(n);
        return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
      };
    p.reverse = &reverse;
  }
  if (final_status_ == 101) return start_tunnel(rest, fields, p.reverse);
  // mod_mime's findings for r->filename (type, charset, encoding, languages) meet the backend's.
  thread_local ProxiedMime mime;
  thread_local std::string languages;
  const bool mime_applies = final_status_ != 204 && final_status_ != 304 && st_.snapshot && st_.server;
  const bool backend_typed = parser().content_typed();
  if (mime_applies) {
    const directives::DirConf* dir = st_.dir ? st_.dir.get() : st_.server->base.get();
    proxied_mime(st_.filename, st_.snapshot->mime, dir, mime, !backend_typed);
    apply_proxied_mime(fields, mime, languages);
  }
  auto info = build_client_response(head, p, fields, head_scratch());
  if (info.backend_close) keep_alive_ = false;
  if (mime_applies && !mime.type.empty() && !backend_typed) head.set_content_type(mime.type);

  const auto framing = parser().framing();
  if (framing == backend::BodyFraming::Length) {
    head.content_length = parser().content_length();
  } else if (framing == backend::BodyFraming::None && req.method == http::Method::Head &&
             info.content_length) {
    head.content_length = info.content_length;
  }
  backend_keep_alive_ = parser().keep_alive();
  const std::span<const char> prefix = parser().body_prefix();
  const std::uint64_t content_length = parser().content_length();
  // From here on only the write below reads the head's buffers (the head is serialised within it;
  // send_error clears the head): unless the parser holds body bytes, they go back to the thread's
  // list when on_final_head returns, still in cache for the next response, instead of when the
  // request ends (after the client's write completes, hundreds of events later at 512 connections).
  std::optional<HeadBuffersReturn> head_bufs;
  if (prefix.empty()) head_bufs.emplace(std::move(rsp_), grew_);
  if (framing == backend::BodyFraming::None) {
    if (head.content_length && req.method != http::Method::Head) head.content_length.reset();
    drop_lease(keep_alive_ && backend_keep_alive_ && rest.empty());
    // The whole response (no body): it may complete, and free this request, before the call returns.
    return ex_.write_inline({}, true, [this](bool) { complete(final_status_); });
  }
  relay_bufs_ = BufferList<RelayBuffers>::take();
  relay_bufs_->body.reset(framing, content_length);
  if (rest.empty() && prefix.empty()) {
    // No body byte yet: the head goes out now, as Apache flushes it when the backend's body is not
    // there yet (a backend stalling mid-body then gives a truncated 200, not a 502 page).
    return ex_.write({}, false, [this](bool ok) {
      if (!ok) {
        drop_lease();
        ex_.send_error(502);
        return complete(final_status_);
      }
      relay_bufs_->relay.start(lease_.conn(), relay_bufs_->body, {}, {}, ex_,
                               [this](const backend::RelayResult& r) { on_relay_done(r); });
    });
  }
  // (A prefix lives in the parser, which this request then keeps until it ends.)
  relay_bufs_->relay.start(lease_.conn(), relay_bufs_->body, prefix, rest, ex_,
                           [this](const backend::RelayResult& r) { on_relay_done(r); });
}

void Request::on_relay_done(const backend::RelayResult& r) {
  received_ += r.bytes;
  if (r.complete) {
    drop_lease(r.reusable && keep_alive_ && backend_keep_alive_);
    return complete(final_status_);
  }
  // The body broke off: the client can only learn it by the connection ending (Apache aborts it).
  // mod_proxy_http logs the backend side's failure (not a client gone away).
  if (!r.client_failed && log_on(log::mod::proxy_http, log::kError)) {
    const int os = errno_of(r.backend);
    log_line(log::mod::proxy_http, log::kError, os ? os : kAprIncomplete, true,
             "AH01110: error reading response");
  }
  if (r.backend == BackendError::Timeout) {
    timed_out_ = true;
    st_.notes.set("proxy_timedout", "1");
  }
  drop_lease();
  ex_.send_error(502);
  complete(final_status_);
}

// A 101 (spec 7.8): the client gets the 101 head and the two connections become a byte tunnel until
// either side ends or nothing moves for the longer of the backend's and the client's timeouts.
void Request::start_tunnel(std::span<const char> rest, std::span<const Field> fields,
                           const ReverseMapper* reverse) {
  if (auto why = upgrade_mismatch(upgrade_, fields); !why.empty()) return fail_backend(502, why, true);
  grew_ = true;
  head_out().clear();
  const auto& bh = parser().head();
  if (ex_.request().version() >= 1001) // an HTTP/1.0 client gets no interim head, only the tunnel
    build_upgrade_head(head_out(), bh.reason_valid ? bh.reason : std::string_view("Switching Protocols"),
                       fields, reverse, via_value_);
  prefetch_.assign(parser().body_prefix().data(), parser().body_prefix().size());
  prefetch_.append(rest.data(), rest.size());
  ex_.upgrade(101, head_out(), [this](net::RawStream* client) {
    if (!client) return complete(101);
    const auto idle = std::max(lease_->io_timeout(),
                               std::chrono::duration_cast<std::chrono::milliseconds>(server_timeout_));
    tunnel_ = std::make_unique<Tunnel>(*io_, *client, lease_.conn(), idle);
    tunnel_->start(std::move(prefetch_), [this, client](const TunnelResult& r) {
      received_ += r.to_client;
      complete(101); // closes the backend connection and frees this
      client->close();
    });
  });
}

// The legacy handler takes only an Upgrade the worker allows (its upgrade= list, else WebSocket);
// anything else gets 426 naming what it would take, before any backend is contacted.
bool Request::refuse_legacy_upgrade() {
  std::string_view client;
  if (const auto* h = ex_.request().find("Upgrade")) client = h->value;
  if (!client.empty() && !allowed_upgrade(client, wparams_->upgrade, burl_->scheme).empty()) return false;
  const std::string_view wanted =
      wparams_->upgrade.empty() ? std::string_view("WebSocket") : std::string_view(wparams_->upgrade);
  if (log_on(log::mod::proxy_wstunnel, log::kInfo))
    log_line(log::mod::proxy_wstunnel, log::kInfo, 0, true,
             "AH02900: require upgrade for URL " + url_ + " (Upgrade header is " +
                 std::string(client.empty() ? std::string_view("n/a") : client) + ", expecting " +
                 std::string(wanted) + ")");
  st_.error_page_fields.add("Connection", "Upgrade");
  st_.error_page_fields.add("Upgrade", wanted);
  if (balancer_ && worker_) balancer::release(*worker_, 0, 0);
  worker_ = nullptr;
  send_error_page(ex_, st_, 426);
  finish();
  return true;
}

// The request is on its way: from here on the connection is a byte tunnel. Whatever the backend
// answers (a 101, an error page, nothing) reaches the client as the backend wrote it, and the
// request is logged as 200 (r->status is never set from the backend's answer).
void Request::start_legacy_tunnel() {
  count_sent();
  phase_ = Phase::Relaying;
  final_status_ = 200;
  post_request(200);
  ex_.upgrade(200, {}, [this](net::RawStream* client) {
    if (!client) return complete(200);
    const auto idle = std::max(lease_->io_timeout(),
                               std::chrono::duration_cast<std::chrono::milliseconds>(server_timeout_));
    tunnel_ = std::make_unique<Tunnel>(*io_, *client, lease_.conn(), idle);
    tunnel_->start({}, [this, client](const TunnelResult& r) {
      received_ += r.to_client;
      complete(200);
      client->close();
    });
  });
}

// ---- endings --------------------------------------------------------------------------------------

bool Request::can_retry_fresh() const {
  if (!lease_ || !lease_->reused() || fresh_retry_used_ || body_consumed_ || got_response_bytes_)
    return false;
  // Only a request that cannot change anything is sent twice: a safe method without a body.
  const auto& req = ex_.request();
  return req.body == http::BodyKind::None && !req.find("Content-Length") &&
         (req.method == http::Method::Get || req.method == http::Method::Head ||
          req.method == http::Method::Options);
}

// A pooled connection the backend closed just as it was reused (Apache's is_socket_connected check
// cannot see a close that crosses the request): a safe request is sent again once on a new
// connection. apache2 answers 502, or closes the client connection, instead (a deliberate
// deviation, compat proxy deviations.txt: it never loses a request it could have kept).
void Request::retry_fresh() {
  fresh_retry_used_ = true;
  allow_reuse_ = false;
  drop_lease();
  acquire();
}

void Request::fail_backend(int status, std::string_view reason, bool proxy_error) {
  drop_lease();
  post_request(status); // as mod_proxy: failontimeout/failonstatus act (and log) before the error page
  if (proxy_error) {
    if (log_on(log::mod::proxy, log::kError)) {
      std::string text = "AH00898: ";
      text.append(reason);
      text.append(" returned by ");
      text.append(st_.uri.empty() ? ex_.request().path : std::string_view(st_.uri));
      log_line(log::mod::proxy, log::kError, 0, true, text);
    }
    grew_ = true;
    auto info = proxy_error_page(note_, reason);
    send_error_page(ex_, st_, status, info);
  } else {
    send_error_page(ex_, st_, status);
  }
  complete(status);
}

void Request::fail_client_body(int error) {
  drop_lease();
  const int status = error > 0 ? error : 400;
  post_request(status);
  send_error_page(ex_, st_, status);
  complete(status);
}

// The request is over for the backend: the balancer's post_request, counters, then free.
void Request::complete(int status) {
  drop_lease();
  if (worker_) {
    if (balancer_) {
      post_request(status);
      balancer::release(*worker_, sent_, received_);
    } else {
      balancer::count_bytes(*worker_, sent_, received_);
    }
  }
  finish();
}

// failonstatus / failontimeout. Run when the final status is known, before the response goes out,
// so the next request (even from the same client) already sees the worker in error.
void Request::post_request(int status) {
  if (post_done_ || !balancer_ || !worker_) return;
  post_done_ = true;
  // (The clock is read only when failonstatus or failontimeout puts the worker into error.)
  log_events(balancer::post_request(*balancer_, *worker_, status, timed_out_, balancer::LazyNow{}),
             log::mod::proxy_balancer);
}

void Request::drop_lease(bool reusable) {
  if (!lease_) return;
  sent_ += lease_->bytes_written() - base_to_;
  if (reusable)
    lease_.release(true);
  else
    lease_ = {};
}

void Request::finish() {
  delete this;
}

void Request::log_line(log::ModuleIndex m, int level, int os_error, bool with_client, std::string_view text) {
  if (!log_on(m, level)) return;
  log::ErrorEvent ev;
  ev.module = m;
  ev.level = level;
  ev.os_error = os_error;
  ev.file = "proxy_request.cpp";
  log::ConnLogView conn;
  log::RequestLogView view;
  if (with_client) {
    const auto& peer = ex_.peer();
    conn.peer_ip = peer.remote_ip;
    conn.peer_port = peer.remote_port;
    conn.local_ip = peer.local_ip;
    conn.local_port = peer.local_port;
    view.conn = &conn;
    view.client_ip = client_ip();
    view.client_port = peer.remote_port;
    view.method = ex_.request().method_text;
    view.path = ex_.request().path;
  }
  ev.request = with_client ? &view : nullptr;
  ev.server_name = server_host_;
  st_.logs->error_log->log(pipeline::request_levels(st_), ev, "{}", text);
}

void Request::log_events(const std::vector<balancer::LogEvent>& events, log::ModuleIndex m) {
  for (const auto& e : events) {
    log::ModuleIndex mod = m;
    // Lines mod_proxy itself writes (retry checks, connect failures) carry its name.
    if (e.text.starts_with("AH00940") || e.text.starts_with("AH00932") || e.text.starts_with("AH00933") ||
        e.text.starts_with("AH00959"))
      mod = log::mod::proxy;
    log_line(mod, to_level(e.severity), 0, true, e.text);
  }
}

} // namespace

void start_proxy_request(balancer::StateStore& store, net::Exchange& ex, pipeline::RequestState& state,
                         proxypass::ProxyTarget target) {
  auto* r = new Request(store, ex, state, std::move(target));
  r->start();
}

std::size_t proxy_requests_in_flight() noexcept {
  return in_flight.load();
}

} // namespace balancerd::proxy
