#include "server/pipeline/pipeline.hpp"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "parser/ascii_case.hpp"
#include "server/balancer/state_store.hpp"
#include "server/expr/expr_eval.hpp"
#include "server/handlers/autoindex.hpp"
#include "server/handlers/owned_body.hpp"
#include "server/handlers/redirects.hpp"
#include "server/handlers/server_status.hpp"
#include "server/handlers/static_file.hpp"
#include "server/http/error_page.hpp"
#include "server/manager/balancer_manager.hpp"
#include "server/net/tls_context.hpp"
#include "server/net/tls_facts.hpp"
#include "server/pipeline/access_check.hpp"
#include "server/pipeline/internal_redirect.hpp"
#include "server/pipeline/missing_file_walk.hpp"
#include "server/pipeline/redirect_page.hpp"
#include "server/pipeline/request_log.hpp"
#include "server/pipeline/request_phases.hpp"
#include "server/pipeline/request_state.hpp"
#include "server/pipeline/response_headers.hpp"
#include "server/pipeline/target_host.hpp"
#include "server/pipeline/uri_path.hpp"
#include "server/proxy/proxy_engine.hpp"
#include "server/proxypass/pass_match.hpp"
#include "server/runtime/dir_options.hpp"
#include "server/runtime/host_match.hpp"

namespace balancerd::pipeline {

namespace {

std::atomic<std::uint64_t> next_id{1};

struct ThreadView {
  std::uint64_t owner = 0;
  std::uint64_t generation = 0;
  std::shared_ptr<const Snapshot> snap;
};
thread_local ThreadView thread_view;

// RequestStates of this thread: a request's state is handed out in handle() and comes back in
// finished(), so warm tables and strings are reused instead of allocated per request.
struct StatePool {
  std::vector<std::unique_ptr<RequestState>> free;
  std::size_t in_use = 0;
};
thread_local StatePool state_pool;
// The free list never holds more than were in use at once, so the bound only caps what a burst leaves
// behind. It must exceed the requests one thread has in flight under steady load: at 256, 512
// connections in lock step freed 256 warm states per round and built 256 cold ones (each table and
// string growing from empty again: callgrind, 512 connections).
constexpr std::size_t kStatePoolMax = 1024;

RequestState* acquire_state() {
  ++state_pool.in_use;
  if (state_pool.free.empty()) return new RequestState();
  RequestState* s = state_pool.free.back().release();
  state_pool.free.pop_back();
  s->reset(); // here rather than in release_state(): see RequestState::release_references()
  return s;
}

void release_state(RequestState* s) {
  --state_pool.in_use;
  // an ErrorDocument's internal redirect ran as a request of its own, with its own state
  if (s->redirect && s->redirect->exchange && s->redirect->exchange->inner())
    release_state(s->redirect->exchange->inner());
  s->release_references();
  if (state_pool.free.size() >= kStatePoolMax) {
    delete s;
    return;
  }
  state_pool.free.emplace_back(s);
}

http::ServerSignature signature_of(const directives::DirConf* dir) {
  if (!dir || !dir->core->server_signature) return http::ServerSignature::Off;
  const std::string& v = *dir->core->server_signature;
  if (http::iequals(v, "on")) return http::ServerSignature::On;
  if (http::iequals(v, "email")) return http::ServerSignature::EMail;
  return http::ServerSignature::Off;
}

// Error pages of this request take ServerSignature from its per-directory configuration.
void set_page_identity(net::Exchange& ex, const directives::DirConf* dir, const runtime::ServerView& sv) {
  const auto& admin = sv.merged.core.server_admin;
  ex.set_page_identity(signature_of(dir), admin ? std::string_view(*admin) : std::string_view());
}

using parser::ci_equal;

// "http://host[:port]" as Apache builds self-referencing URLs with UseCanonicalName Off.
void append_self_url(std::string& out, const net::Exchange& ex, const runtime::ServerView& sv) {
  const auto& req = ex.request();
  const unsigned default_port = ex.peer().tls ? 443 : 80; // mod_ssl's ap_http_scheme / default port
  out += ex.peer().tls ? "https://" : "http://";
  const auto& ucn = sv.base ? sv.base->core->use_canonical_name : std::optional<std::string>{};
  if (ucn && ci_equal(*ucn, "on") && sv.merged.core.server_name) {
    // UseCanonicalName On: ServerName and its port (else the connection's)
    std::string_view name = *sv.merged.core.server_name;
    if (auto s = name.find("://"); s != std::string_view::npos) name.remove_prefix(s + 3);
    if (auto c = name.rfind(':'); c != std::string_view::npos && name.find(']') == std::string_view::npos)
      name = name.substr(0, c);
    out += name;
    unsigned port = sv.merged.core.server_port.value_or(ex.peer().local_port);
    if (port != default_port) {
      out += ':';
      out += std::to_string(port);
    }
    return;
  }
  if (!req.host.empty()) {
    // r->hostname: lower case (the parser already dropped a trailing dot)
    // a name holding a colon (Unsafe's "host:abc") is written as an IPv6 literal, in brackets
    const bool bracket = req.host.front() != '[' && req.host.find(':') != std::string_view::npos;
    if (bracket) out += '[';
    for (char c : req.host) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (bracket) out += ']';
  } else if (sv.merged.core.server_name) {
    out += *sv.merged.core.server_name;
  } else {
    out += ex.peer().local_ip;
  }
  // UseCanonicalName Off: the Host header's port, 80 when it names none
  unsigned port = default_port;
  if (!req.port.empty()) {
    port = 0;
    for (char c : req.port) port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port != default_port) {
    out += ':';
    out += std::to_string(port);
  }
}

// A local ErrorDocument: the URL is requested anew on the same exchange (Apache's internal redirect).
// `info` and `allow`: the original status's own page, sent if the redirect fails too.
void redirect_to_error_document(net::Exchange& ex, RequestState& st, int status, std::string_view url,
                                const http::ErrorPageInfo& info, std::string_view allow) {
  // Apache puts these into the original request's environment first (`Header always` on a failed
  // redirect's page sees them); the new request gets them as REDIRECT_REQUEST_METHOD and
  // REDIRECT_ERROR_NOTES
  st.env.set("REQUEST_METHOD", ex.request().method_text);
  if (!info.note.empty()) st.env.set("ERROR_NOTES", info.note);
  st.redirect = std::make_unique<InternalRedirect>();
  st.redirect->exchange = std::make_unique<RedirectedExchange>(ex, st, url, status, info, allow);
  st.pipeline->handle(*st.redirect->exchange);
}

// An ErrorDocument's redirect that failed on a missing file had been typed by mod_mime first: the
// access log's %{Content-Type}o shows that type.
void note_redirect_type(InternalRedirect& ir, std::string_view file_path, const handlers::MimeTypes& mime,
                        const directives::DirConf* dir) {
  handlers::StaticFile f;
  const auto slash = file_path.rfind('/');
  handlers::assign_file_mime(f, file_path.substr(slash == std::string_view::npos ? 0 : slash + 1), mime, dir);
  ir.content_type.assign(f.type);
}

// ErrorDocument, then Apache's own page.

bool declared_body_over_limit(const http::Request& req, const directives::DirConf* dir) {
  return req.body == http::BodyKind::Length && dir && dir->core->limit_request_body &&
         *dir->core->limit_request_body > 0 &&
         req.content_length > static_cast<std::uint64_t>(*dir->core->limit_request_body);
}

// apache2 frames its answer to a failed request-body read (413 over LimitRequestBody, declared or
// found while reading; 400 a bad chunk) by closing the connection, with no Content-Length: its own
// page, an ErrorDocument message and a URL's 302 alike (a local ErrorDocument is a new response).
void end_by_close_after_body_failure(net::Exchange& ex, int status, const directives::DirConf* dir) {
  if (status == ex.body_error() || (status == 413 && declared_body_over_limit(ex.request(), dir)))
    ex.end_response_by_close();
}

void send_error(net::Exchange& ex, RequestState& st, int status, const directives::DirConf* dir,
                const runtime::ServerView& sv, std::string_view allow = {},
                const http::ErrorPageInfo& info = {}) {
  if (st.redirected_from) {
    // an error of an ErrorDocument's redirect: RedirectedExchange answers with the original's page
    ex.send_error(status, info, allow);
    return;
  }
  (void)sv;
  if (dir) {
    auto it = dir->core->error_documents.find(status);
    if (it != dir->core->error_documents.end() && it->second.action != "default") {
      const std::string& a = it->second.action;
      if (!a.empty() && a[0] == '/') {
        // Apache's internal redirect (once per request: a second error is answered plainly)
        if (st.pipeline && !st.redirect) {
          redirect_to_error_document(ex, st, status, a, info, allow);
          return;
        }
      } else if (a.find("://") != std::string::npos) {
        st.error_response = true;
        end_by_close_after_body_failure(ex, status, dir);
        send_error_document_url(ex, status, a);
        return;
      } else {
        // a message: sent as the body
        st.error_response = true;
        auto& h = ex.response();
        h.status = status;
        h.reason = info.reason; // ap_proxyerror's "502 Proxy Error" status line stays
        std::string text(a[0] == '"' ? a.substr(1) : a);
        h.set_content_type("text/html; charset=iso-8859-1");
        h.content_length = text.size();
        end_by_close_after_body_failure(ex, status, dir);
        handlers::write_owned(ex, std::move(text));
        return;
      }
    }
  }
  ex.send_error(status, info, allow);
}

// Apache's default handler reads (discards) a request body before it answers 404 for a missing
// file: an "Expect: 100-continue" client gets its 100 and the connection stays open, and a body over
// LimitRequestBody (413) or badly chunked (400) is refused instead. The callback keeps two words
// (no allocation in std::function).
void discard_body_then_404(net::Exchange& ex, RequestState& st) {
  ex.read_body([s = &st, e = &ex](const net::BodyPiece& piece) {
    const directives::DirConf* dir = s->dir ? s->dir.get() : s->server->base.get();
    if (piece.error) {
      send_error(*e, *s, piece.error > 0 ? piece.error : 400, dir, *s->server);
      return;
    }
    if (piece.end) {
      send_error(*e, *s, 404, dir, *s->server);
      return;
    }
    discard_body_then_404(*e, *s);
  });
}

// RequestState::send_error_page: a handler's late error (mod_proxy) takes the pipeline's path.
void handler_error_page(net::Exchange& ex, RequestState& st, int status, const http::ErrorPageInfo& info) {
  const directives::DirConf* dir = st.dir ? st.dir.get() : st.server->base.get();
  send_error(ex, st, status, dir, *st.server, {}, info);
}

// The default handler with no file to send: OPTIONS gets an empty 200 with Allow, methods other
// than GET/HEAD/POST are refused (405/501 with Allow); true when the request was answered. `mime`
// (null for a directory) types a missing file's 200 by its name, as mod_mime does before any
// handler: the name is st.filename, which stops at the first missing segment.
bool answer_method_without_file(net::Exchange& ex, RequestState& st, const directives::DirConf* dir,
                                const runtime::ServerView& sv, const handlers::MimeTypes* mime) {
  const int status = http::default_handler_status(ex.request().method);
  if (status == 0) return false;
  if (status == 200) {
    auto& h = ex.response();
    h.status = 200;
    h.add("Allow", http::kDefaultHandlerAllow);
    h.content_length = 0;
    if (!mime) {
      h.set_content_type("httpd/unix-directory"); // Apache's type of a directory
    } else {
      handlers::StaticFile f;
      const std::string_view name = st.filename;
      const auto slash = name.rfind('/');
      handlers::assign_file_mime(f, name.substr(slash == std::string_view::npos ? 0 : slash + 1), *mime, dir);
      handlers::add_file_type_fields(h, f);
    }
    ex.write({}, true, {});
    return true;
  }
  send_error(ex, st, status, dir, sv, http::kDefaultHandlerAllow);
  return true;
}

// mod_alias makes a path target absolute with the request's own scheme, host and port.
void redirect_to(net::Exchange& ex, RequestState& st, const runtime::ServerView& sv, int status,
                 std::string_view target) {
  st.error_response = true; // Apache generates the page: only `Header always` applies
  if (!target.empty() && target[0] == '/') {
    thread_local std::string url;
    url.clear();
    append_self_url(url, ex, sv);
    url += target;
    send_redirect(ex, status, url);
    return;
  }
  send_redirect(ex, status, target);
}

// The connection's local address parsed for vhost selection: a thread sees the same few addresses
// over and over, so the last one is kept.
runtime::IpAddress local_address(std::string_view text) {
  thread_local char last[64];
  thread_local std::size_t last_size = 0;
  thread_local runtime::IpAddress last_ip;
  if (text.size() == last_size && text.size() <= sizeof last && std::string_view(last, last_size) == text)
    return last_ip;
  runtime::IpAddress ip;
  if (auto parsed = runtime::IpAddress::parse(text)) ip = *parsed;
  if (text.size() <= sizeof last) {
    text.copy(last, text.size());
    last_size = text.size();
    last_ip = ip;
  }
  return ip;
}

std::int64_t now_sec() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An error-log line about the request (Apache's "[client ip:port]" and referer parts), at the
// request's per-server level; nothing is formatted when the level is off.
template <class... Args>
void log_request(const net::Exchange& ex, const RequestState& st, log::ModuleIndex module, int level,
                 fmt::format_string<Args...> format, Args&&... args) {
  if (!st.logs || !st.logs->error_log || !request_levels(st).enabled(module, level)) return;
  log::ConnLogView conn;
  conn.peer_ip = ex.peer().remote_ip;
  conn.peer_port = ex.peer().remote_port;
  conn.local_ip = ex.peer().local_ip;
  conn.local_port = ex.peer().local_port;
  log::RequestLogView view;
  view.conn = &conn;
  view.client_ip = st.useragent_ip;
  view.client_port = ex.peer().remote_port;
  view.headers_in = {&st, [](const void* c, std::string_view n) {
                       return static_cast<const RequestState*>(c)->ctx.request_header(n);
                     }};
  log::ErrorEvent ev;
  ev.module = module;
  ev.level = level;
  ev.request = &view;
  ev.conn = &conn;
  ev.when = std::chrono::system_clock::now();
  ev.pid = static_cast<long>(::getpid());
  st.logs->error_log->log(request_levels(st), ev, format, std::forward<Args>(args)...);
}

// mod_ssl's error-notes for a request refused by SSLStrictSNIVHostCheck (the 403 page shows them).
constexpr std::string_view kNoSniNote =
    "Reason: The client software did not provide a hostname using Server Name "
    "Indication (SNI), which is required to access this server.<br />\n";

// mod_ssl's post_read_request checks. Without SNI on an address with several vhosts, an
// SSLStrictSNIVHostCheck of the handshake's or the request's vhost refuses the request (403,
// AH02033). A request for a vhost whose TLS setup differs from the one the handshake was made for
// (the SNI name's vhost, or the address's default without SNI) is misdirected (421, AH02032): the
// client must open a new connection for that host. 0: neither.
int misdirected_tls(const net::Exchange& ex, const RequestState& st, int vhost, const Snapshot& snap) {
  const net::TlsFacts& t = *ex.peer().tls;
  if (!t.contexts) return 0;
  if (t.sni.empty() && t.name_based &&
      (t.contexts->strict_sni(t.handshake_server) || t.contexts->strict_sni(vhost))) {
    log_request(ex, st, log::mod::ssl, log::kError,
                "AH02033: No hostname was provided via SNI for a name based virtual host");
    return 403;
  }
  if (t.contexts->compatible(t.handshake_server, vhost)) return 0;
  const std::string host = runtime::normalize_host(ex.request().host);
  if (!t.sni.empty()) {
    log_request(
        ex, st, log::mod::ssl, log::kError,
        "AH02032: Hostname {} provided via SNI and hostname {} provided via HTTP have no compatible SSL "
        "setup for policy 'secure'",
        t.sni, host);
  } else {
    const std::string_view first =
        t.handshake_server >= 0 ? std::string_view(snap.resolver->vhosts().server_name(t.handshake_server))
                                : std::string_view(snap.main_name);
    log_request(
        ex, st, log::mod::ssl, log::kError,
        "AH02032: Hostname {} (default host as no SNI was provided) and hostname {} provided via HTTP "
        "have no compatible SSL setup for policy 'secure'",
        first, host);
  }
  return 421;
}

// SSLRequireSSL on a plaintext connection: mod_ssl's access checker refuses (403, AH02219).
void require_ssl_refused(net::Exchange& ex, RequestState& st, const directives::DirConf* dir,
                         const runtime::ServerView& sv) {
  log_request(ex, st, log::mod::ssl, log::kError, "AH02219: access to {} failed, reason: {}",
              st.filename.empty() ? std::string_view(st.uri) : std::string_view(st.filename),
              "SSL connection required");
  send_error(ex, st, 403, dir, sv);
}

// mod_authz_core's refusal: AH01630 at error level, naming r->filename.
void deny(net::Exchange& ex, RequestState& st, const directives::DirConf* dir,
          const runtime::ServerView& sv) {
  log_request(ex, st, log::mod::authz_core, log::kError, "AH01630: client denied by server configuration: {}",
              st.filename.empty() ? std::string_view(st.uri) : std::string_view(st.filename));
  send_error(ex, st, 403, dir, sv);
}

// A refusal from access_status(): 403 is logged as authz_core does; 500 (a failing Require expr) is not.
void refuse(net::Exchange& ex, RequestState& st, int status, const directives::DirConf* dir,
            const runtime::ServerView& sv) {
  if (status == 403) {
    deny(ex, st, dir, sv);
    return;
  }
  send_error(ex, st, status, dir, sv);
}

// Request headers an expression looked at are named in Vary, merged with what the response has,
// as Apache's expression parser does.
void add_vary(http::ResponseHead& head, const expr::VarTable& names) {
  std::string value;
  std::string_view fields = head.fields();
  while (!fields.empty()) {
    const auto eol = fields.find("\r\n");
    std::string_view line = fields.substr(0, eol);
    fields = eol == std::string_view::npos ? std::string_view{} : fields.substr(eol + 2);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && http::iequals(line.substr(0, colon), "Vary")) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      value.assign(v);
      break;
    }
  }
  if (!value.empty()) head.remove("Vary");
  for (const auto& e : names) {
    if (!value.empty()) value += ", ";
    value += e.name;
  }
  head.add("Vary", value);
}

// ---- mod_proxy --------------------------------------------------------------------------------

proxypass::RequestUri request_uri(const net::Exchange& ex, const RequestState& st,
                                  const runtime::ServerView& sv) {
  const auto& req = ex.request();
  proxypass::RequestUri ru;
  ru.raw_target = req.target;
  ru.uri = st.uri;
  if (req.target.find('?') != std::string_view::npos) ru.query = req.query;
  const auto& aes = sv.merged.core.allow_encoded_slashes;
  ru.keep_encoded_slashes = aes && !ci_equal(*aes, "off");
  ru.no_proxy_env = st.env.get("no-proxy").has_value();
  ru.no_upgrade = req.find("Upgrade") == nullptr;
  return ru;
}

proxypass::EnvLookup env_lookup(const RequestState& st) {
  return [&st](std::string_view name) -> std::optional<std::string> {
    auto v = st.env.get(name);
    if (!v) return std::nullopt;
    return std::string(*v);
  };
}

// The proxy handler, once the configuration and access checks are done.
void hand_to_proxy(net::Exchange& ex, RequestState& st, const Services& services,
                   proxypass::ProxyTarget target, const directives::DirConf* dir,
                   const runtime::ServerView& sv) {
  // apache2 2.4.71 does not apply LimitRequestBody to proxied bodies (compat request-body-limits):
  // lift the connection's server-wide default
  ex.set_body_limit(0);
  if (!services.proxy) {
    // no engine (unit tests without one): Apache without a proxy handler answers 500
    send_error(ex, st, 500, dir, sv);
    return;
  }
  services.proxy->handle(ex, st, std::move(target));
}

void log_nocanon_ignored(const RequestState& st) {
  if (!st.logs || !st.logs->error_log) return;
  BD_ERROR_LOG(*st.logs->error_log, request_levels(st), log::mod::proxy, log::kWarn, nullptr,
               "AH01136: Unescaped URL path matched ProxyPass; ignoring unsafe nocanon");
}

} // namespace

Pipeline::Pipeline(std::shared_ptr<const Snapshot> first, Services services)
    : current_(std::move(first)), id_(next_id.fetch_add(1)), started_(now_sec()), services_(services) {}

void Pipeline::publish(std::shared_ptr<const Snapshot> next) {
  {
    std::lock_guard lock(publish_mutex_);
    current_ = std::move(next);
  }
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

std::shared_ptr<const Snapshot> Pipeline::current() const {
  std::lock_guard lock(publish_mutex_);
  return current_;
}

const Snapshot& Pipeline::snapshot_for_thread(std::shared_ptr<const Snapshot>& hold) {
  const std::uint64_t gen = generation_.load(std::memory_order_acquire);
  ThreadView& tv = thread_view;
  if (tv.owner != id_ || tv.generation != gen) {
    tv.snap = current();
    tv.owner = id_;
    tv.generation = gen;
  }
  hold = tv.snap;
  return *hold;
}

std::size_t Pipeline::states_in_use_this_thread() {
  return state_pool.in_use;
}

void Pipeline::handle(net::Exchange& ex) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  std::shared_ptr<const Snapshot> hold;
  const Snapshot& snap = snapshot_for_thread(hold);
  RequestState& st = *acquire_state();
  ex.set_handler_state(&st);
  st.snapshot = std::move(hold);
  run(ex, st, snap);
}

void Pipeline::on_head(net::Exchange& ex, http::ResponseHead& head, bool error_page) {
  auto* st = static_cast<RequestState*>(ex.handler_state());
  if (st && st->redirect && !st->redirect->failed && st->redirect->exchange->inner()) {
    // answered by an ErrorDocument's internal redirect: the new request's settings shape the head,
    // plus what the original request kept for its error page (r->err_headers_out goes along)
    for (const auto& f : st->error_page_fields) head.add(f.name, f.value);
    st = st->redirect->exchange->inner();
  }
  if (st && (error_page || st->error_response))
    for (const auto& f : st->error_page_fields) head.add(f.name, f.value);
  if (st && st->server) apply_response_rules(*st, head, error_page);
  if (st && !error_page && !st->vary.empty()) add_vary(head, st->vary); // headers_out: not on error pages
}

void Pipeline::finished(net::Exchange& ex, const net::ExchangeOutcome& outcome) {
  auto* st = static_cast<RequestState*>(ex.handler_state());
  if (st) {
    if (st->logs && st->server) {
      const Snapshot& snap = *st->snapshot;
      log_finished(ex, outcome, {st, st->server, snap.main_name}, *st->logs);
    }
    release_state(st);
    return;
  }
  // A malformed request the connection answered itself: logged under the server its address
  // selects (the Host header, if any, was not trusted).
  std::shared_ptr<const Snapshot> hold;
  const Snapshot& snap = snapshot_for_thread(hold);
  if (!snap.logs) return;
  runtime::LocalEndpoint local;
  if (auto ip = runtime::IpAddress::parse(ex.peer().local_ip)) local.ip = *ip;
  local.port = ex.peer().local_port;
  const int vhost = snap.resolver->vhosts().select(local, {});
  const runtime::ServerView& sv = snap.resolver->server(vhost);
  log_finished(ex, outcome, {nullptr, &sv, snap.main_name}, *snap.server_logs(vhost));
}

void Pipeline::run(net::Exchange& ex, RequestState& st, const Snapshot& snap) {
  const auto& resolver = *snap.resolver;
  const auto& req = ex.request();
  const auto& peer = ex.peer();

  runtime::LocalEndpoint local;
  local.ip = local_address(peer.local_ip);
  local.port = peer.local_port;
  thread_local std::string host;
  runtime::normalize_host(req.host, host);
  const int vhost = resolver.vhosts().select(local, host);
  const runtime::ServerView& sv = resolver.server(vhost);
  st.server = &sv;
  st.logs = snap.server_logs(vhost);
  st.send_error_page = handler_error_page;
  st.pipeline = this;
  const auto& core = sv.merged.core;
  init_request_facts(
      st, ex, core.server_name ? std::string_view(*core.server_name) : std::string_view(snap.main_name),
      core.server_admin ? std::string_view(*core.server_admin) : std::string_view(),
      core.document_root ? std::string_view(*core.document_root) : std::string_view("/var/www/html"));
  set_page_identity(ex, sv.base.get(), sv);
  apply_target_host(st, req); // absolute-form, CONNECT: Host becomes the target's authority
  run_post_read_request(st, ex);
  if (peer.tls) [[unlikely]]
    if (const int refused = misdirected_tls(ex, st, vhost, snap)) {
      http::ErrorPageInfo info;
      if (refused == 403) info.note = kNoSniNote;
      return send_error(ex, st, refused, sv.base.get(), sv, {}, info);
    }
  // <If> sections see the request as it stands after post_read_request
  const runtime::ExprHook if_hook = [&st](const directives::expr::Expr& e) {
    return expr::Evaluator::this_thread().matches(e, st.ctx);
  };

  // A proxied request: its own <Proxy> walk, access checks and fixups, then the proxy handler.
  auto serve_proxied = [&](proxypass::PassMatch& m) {
    if (m.nocanon_ignored) log_nocanon_ignored(st);
    if (!m.servlet_uri.empty()) {
      st.uri = m.servlet_uri;
      st.ctx.info.uri = st.uri;
    }
    st.filename = std::move(m.filename);
    st.ctx.info.filename = st.filename;
    st.handler = "proxy-server";
    st.ctx.info.handler = st.handler;
    runtime::ResolvedConfig prc =
        resolver.resolve(sv, st.uri.empty() ? req.path : std::string_view(st.uri), "", m.target.url, if_hook);
    const directives::DirConf* pdir = prc.dir ? prc.dir.get() : sv.base.get();
    st.dir = prc.dir ? prc.dir : sv.base;
    for (const auto& [name, value] : prc.env) st.env.set(name, value);
    set_page_identity(ex, pdir, sv);
    if (pdir) run_header_parser(st, *pdir);
    if (pdir) {
      if (pdir->ssl->require_ssl && !ex.peer().tls) [[unlikely]]
        return require_ssl_refused(ex, st, pdir, sv);
      if (const int a = access_status(*pdir->authz, st); a != 200) {
        refuse(ex, st, a, pdir, sv);
        return;
      }
    }
    if (pdir) run_fixups(st, *pdir);
    hand_to_proxy(ex, st, services_, std::move(m.target), pdir, sv);
  };
  const auto& pconf = sv.merged.proxy;

  // mod_proxy's post_read_request: a client naming a Unix socket is refused; with ProxyRequests On
  // an absolute URI is a forward-proxy request.
  if (req.absolute_uri || req.target.size() > 5) {
    if (int status = proxypass::check_client_uds(req.target, pconf.requests.value_or(false))) {
      send_error(ex, st, status, sv.base.get(), sv);
      return;
    }
  }
  if (req.absolute_uri && pconf.requests.value_or(false)) {
    proxypass::PassMatch m = proxypass::forward_target(pconf, req.target);
    if (m.result == proxypass::PassResult::Error) {
      send_error(ex, st, m.status, sv.base.get(), sv);
      return;
    }
    if (m.result == proxypass::PassResult::Proxy) {
      st.uri.assign(req.path);
      st.ctx.info.uri = st.uri;
      serve_proxied(m);
      return;
    }
  }

  if (req.method == http::Method::Trace) {
    const auto& te = sv.merged.core.trace_enable;
    if (te && ci_equal(*te, "off")) {
      // Apache's 405 for a disabled TRACE carries an empty Allow header
      std::string page;
      http::ErrorPageInfo info;
      info.method = req.method_text;
      http::append_error_body(page, 405, info);
      st.error_response = true;
      auto& h = ex.response();
      h.status = 405;
      h.add("Allow", "");
      h.set_content_type("text/html; charset=iso-8859-1");
      h.content_length = page.size();
      handlers::write_owned(ex, std::move(page));
      return;
    }
    // TraceEnable On refuses a TRACE carrying a body ("extended" would echo it; not reproduced)
    if (req.body != http::BodyKind::None &&
        !(req.body == http::BodyKind::Length && req.content_length == 0)) {
      send_error(ex, st, 413, sv.base.get(), sv);
      return;
    }
    // the echo comes after ProxyPass: a proxied TRACE goes to the backend (mod_proxy's handler)
  }

  if (req.method == http::Method::Options && req.target == "*") {
    // the server itself: an empty 200
    auto& h = ex.response();
    h.status = 200;
    h.content_length = 0;
    ex.write({}, true, {});
    return;
  }

  EncodedSlashes slashes = EncodedSlashes::Off;
  if (const auto& aes = sv.merged.core.allow_encoded_slashes) {
    if (ci_equal(*aes, "on")) slashes = EncodedSlashes::On;
    if (ci_equal(*aes, "nodecode")) slashes = EncodedSlashes::NoDecode;
  }
  // normalised straight into r->uri (its capacity is kept with the pooled state)
  const PathStatus path_status = normalise_path(req.path, st.uri, slashes);
  if (path_status != PathStatus::Ok) {
    st.uri.clear(); // r->uri was never set
    send_error(ex, st, path_status == PathStatus::BadRequest ? 400 : 404, sv.base.get(), sv);
    return;
  }
  const std::string& path = st.uri; // not changed below but by a proxied request's servlet mapping
  st.ctx.info.uri = st.uri;

  // mod_proxy, translate phase: ProxyPass maps before mod_alias (its hook runs first); a rule
  // inside <Location> is found through the Location walk of the request.
  if (!pconf.rules.empty() || snap.has_location_pass) {
    const proxypass::RequestUri ru = request_uri(ex, st, sv);
    runtime::ResolvedConfig loc;
    // the server level's per-directory settings (ProxyPassInterpolateEnv) unless a Location walk
    // is needed for a ProxyPass inside <Location>
    const directives::ProxyDirConf* pdir = sv.base ? &*sv.base->proxy : nullptr;
    if (snap.has_location_pass) {
      loc = resolver.resolve(sv, path, "", "", if_hook);
      if (loc.dir) pdir = &*loc.dir->proxy;
    }
    proxypass::PassMatch m;
    if (proxypass::needs_pre_translate(pconf, pdir)) {
      // the pre-translate pass: only mapping=encoded/servlet rules, on the still-encoded path
      if (auto pre = proxypass::pre_translate_path(req.path)) {
        proxypass::RequestUri pru = ru;
        pru.uri = *pre;
        m = proxypass::match_proxy_pass(pconf, pdir, pru, env_lookup(st), true);
      }
    }
    if (m.result == proxypass::PassResult::None)
      m = proxypass::match_proxy_pass(pconf, pdir, ru, env_lookup(st));
    if (m.result == proxypass::PassResult::Error) {
      send_error(ex, st, m.status, sv.base.get(), sv);
      return;
    }
    if (m.result == proxypass::PassResult::Proxy) {
      serve_proxied(m);
      return;
    }
  }

  if (req.method == http::Method::Trace) {
    std::string echo;
    echo.append(req.method_text)
        .append(" ")
        .append(req.target)
        .append(" ")
        .append(req.protocol)
        .append("\r\n");
    for (const auto& h : req.headers) echo.append(h.name).append(": ").append(h.value).append("\r\n");
    echo.append("\r\n");
    auto& h = ex.response();
    h.status = 200;
    h.set_content_type("message/http");
    // Apache streams the echo (chunked)
    handlers::write_owned(ex, std::move(echo), true);
    return;
  }

  // mod_alias, translate phase: redirects first, then aliases.
  auto red = handlers::match_redirects(sv.merged.mapping.redirects, path, req.query);
  if (red.kind == handlers::AliasResult::Kind::Redirect) {
    redirect_to(ex, st, sv, red.status, red.target);
    return;
  }
  if (red.kind == handlers::AliasResult::Kind::Gone) {
    send_error(ex, st, red.status, sv.base.get(), sv);
    return;
  }
  std::string file_path;
  bool aliased = false;
  auto al = handlers::match_aliases(sv.merged.mapping.aliases, path);
  if (al.kind == handlers::AliasResult::Kind::File) {
    file_path = std::move(al.target);
    aliased = true;
  } else {
    file_path = sv.merged.core.document_root.value_or("/var/www/html");
    if (!file_path.empty() && file_path.back() == '/') file_path.pop_back();
    file_path += path;
  }
  (void)aliased;

  struct stat fst {};
  bool exists = ::stat(file_path.c_str(), &fst) == 0;
  bool is_dir = exists && S_ISDIR(fst.st_mode);
  std::string walk_path = file_path;
  if (is_dir && (walk_path.empty() || walk_path.back() != '/')) walk_path += '/';

  st.filename = file_path;
  if (!exists) [[unlikely]] {
    // Apache's directory walk stopped at the first missing or non-directory segment: that is the
    // file name (%f, the sections' file, a proxy: handler's); the rest is path info
    st.filename.resize(missing_file_walk_end(file_path));
    walk_path = st.filename;
    st.ctx.info.path_info = path_info_of(path, file_path, st.filename.size());
  }
  st.ctx.info.filename = st.filename;
  runtime::ResolvedConfig rc = resolver.resolve(sv, path, walk_path, "", if_hook);
  const directives::DirConf* dir = rc.dir ? rc.dir.get() : sv.base.get();
  st.dir = rc.dir ? rc.dir : sv.base;
  for (const auto& [name, value] : rc.env) st.env.set(name, value);
  set_page_identity(ex, dir, sv);
  if (dir) run_header_parser(st, *dir);

  // access control (Require / Order-Allow-Deny)
  if (dir) {
    if (dir->ssl->require_ssl && !ex.peer().tls) [[unlikely]]
      return require_ssl_refused(ex, st, dir, sv);
    if (const int a = access_status(*dir->authz, st); a != 200) {
      refuse(ex, st, a, dir, sv);
      return;
    }
  }

  // mod_alias in per-dir context
  if (dir) {
    if (dir->mapping->dir_alias && dir->mapping->dir_alias->kind == directives::AliasRule::Kind::Redirect) {
      const auto& da = *dir->mapping->dir_alias;
      int status = da.status ? da.status : 302;
      if (da.real.empty() || status < 300 || status > 399) {
        send_error(ex, st, status, dir, sv);
      } else {
        redirect_to(ex, st, sv, status, da.real);
      }
      return;
    }
    auto dr = handlers::match_redirects(dir->mapping->redirects, path, req.query);
    if (dr.kind == handlers::AliasResult::Kind::Redirect) {
      redirect_to(ex, st, sv, dr.status, dr.target);
      return;
    }
    if (dr.kind == handlers::AliasResult::Kind::Gone) {
      send_error(ex, st, dr.status, dir, sv);
      return;
    }
  }

  if (dir) run_fixups(st, *dir);

  // the handler
  if (dir && dir->core->set_handler && !ci_equal(*dir->core->set_handler, "none")) {
    const std::string& hn = *dir->core->set_handler;
    if (hn.size() > 6 && http::iequals(std::string_view(hn).substr(0, 6), "proxy:")) {
      // SetHandler "proxy:...": the handler prefixes the mapped file name
      auto m = proxypass::match_handler(sv.merged.proxy, hn, st.filename, request_uri(ex, st, sv));
      if (m && m->result == proxypass::PassResult::Error) {
        send_error(ex, st, m->status, dir, sv);
        return;
      }
      if (m && m->result == proxypass::PassResult::Proxy) {
        st.filename = std::move(m->filename);
        st.ctx.info.filename = st.filename;
        st.handler = hn;
        st.ctx.info.handler = st.handler;
        hand_to_proxy(ex, st, services_, std::move(m->target), dir, sv);
        return;
      }
    }
    if (ci_equal(hn, "balancer-manager")) {
      st.handler = "balancer-manager";
      st.ctx.info.handler = st.handler;
      if (!services_.store) {
        send_error(ex, st, 500, dir, sv);
        return;
      }
      manager::serve_balancer_manager(ex, st, *services_.store);
      return;
    }
    if (hn == "server-status") {
      st.handler = hn;
      handlers::StatusInfo info;
      info.started_sec = started_;
      info.requests = requests();
      info.server_name = sv.merged.core.server_name.value_or(snap.main_name);
      info.store = services_.store;
      info.server_index = sv.index;
      info.proxy_status =
          sv.merged.proxy.status.value_or(directives::ProxyStatusOpt::Off) != directives::ProxyStatusOpt::Off;
      handlers::serve_server_status(ex, info);
      return;
    }
  }

  // A path below a regular file (path info): the default handler serves that file under AcceptPathInfo
  // On, and answers other methods than GET/HEAD/POST as for it; else it refuses the path info
  bool below_file = false;
  if (!exists && st.filename.size() < file_path.size() && ::stat(st.filename.c_str(), &fst) == 0 &&
      S_ISREG(fst.st_mode)) [[unlikely]] {
    below_file = true;
    const std::string_view accept = dir && dir->core->accept_path_info
                                        ? std::string_view(*dir->core->accept_path_info)
                                        : std::string_view();
    if (default_handler_takes_path_info(accept, http::default_handler_status(req.method) == 0)) {
      file_path = st.filename;
      exists = true;
    }
  }
  if (!exists) {
    if (answer_method_without_file(ex, st, dir, sv, &snap.mime)) return;
    if (below_file)
      log_request(ex, st, log::mod::core, log::kInfo, "AH00130: File does not exist: {}", file_path);
    else
      log_request(ex, st, log::mod::core, log::kInfo, "AH00128: File does not exist: {}", file_path);
    if (st.redirected_from) note_redirect_type(*st.redirected_from->redirect, file_path, snap.mime, dir);
    if (req.body != http::BodyKind::None) {
      if (dir && dir->core->limit_request_body)
        ex.set_body_limit(static_cast<std::uint64_t>(*dir->core->limit_request_body));
      discard_body_then_404(ex, st);
      return;
    }
    send_error(ex, st, 404, dir, sv);
    return;
  }
  if (is_dir) {
    if (path.back() != '/' && (!dir || dir->mapping->directory_slash.value_or(true))) {
      // mod_dir redirects whatever the method (apache2 2.4.71)
      std::string url;
      append_self_url(url, ex, sv);
      url += req.path;
      url += '/';
      if (!req.query.empty()) {
        url += '?';
        url += req.query;
      }
      st.error_response = true;
      send_redirect(ex, 301, url);
      return;
    }
    if (path.back() != '/') {
      // DirectorySlash Off: mod_dir leaves the directory alone and the default handler has no file
      send_error(ex, st, 404, dir, sv);
      return;
    }
    static const std::vector<std::string> default_index{"index.html"};
    const auto& indexes =
        dir && dir->mapping->directory_index ? *dir->mapping->directory_index : default_index;
    std::string base = walk_path;
    bool found = false;
    for (const auto& name : indexes) {
      std::string candidate =
          name.starts_with("/") ? sv.merged.core.document_root.value_or("") + name : base + name;
      struct stat ist {};
      if (::stat(candidate.c_str(), &ist) == 0 && S_ISREG(ist.st_mode)) {
        file_path = std::move(candidate);
        fst = ist;
        found = true;
        // the index file's own <Files> sections apply
        rc = resolver.resolve(sv, path, file_path, "", if_hook);
        dir = rc.dir ? rc.dir.get() : dir;
        if (rc.dir) st.dir = rc.dir;
        st.filename = file_path;
        st.ctx.info.filename = st.filename;
        if (dir) {
          if (const int a = access_status(*dir->authz, st); a != 200) {
            refuse(ex, st, a, dir, sv);
            return;
          }
        }
        break;
      }
    }
    if (!found) {
      // no index file: mod_autoindex lists the directory when Options Indexes allows it (and
      // refuses with 403 when not); without mod_autoindex the default handler answers 404; a
      // method other than GET/HEAD/POST goes to the default handler
      if (answer_method_without_file(ex, st, dir, sv, nullptr)) return;
      if (!snap.autoindex) {
        send_error(ex, st, 404, dir, sv);
        return;
      }
      if (!(runtime::effective_options(dir ? dir->core->options : std::nullopt) & runtime::kOptIndexes)) {
        send_error(ex, st, 403, dir, sv);
        return;
      }
      handlers::AutoindexRequest air;
      air.uri = path;
      air.query = req.query;
      air.dir_path = walk_path;
      air.conf = dir ? &*dir->autoindex : nullptr;
      static const std::vector<directives::MimeMapping> none;
      air.content_type = [&](std::string_view name) {
        return std::string(snap.mime.lookup(name, dir ? dir->mapping->mime : none, nullptr));
      };
      air.allowed = [&](std::string_view name, bool is_dir) {
        std::string file = walk_path + std::string(name) + (is_dir ? "/" : "");
        runtime::ResolvedConfig sub = resolver.resolve(sv, path + std::string(name), file, "", if_hook);
        const directives::DirConf* sd = sub.dir ? sub.dir.get() : dir;
        return !sd || access_status(*sd->authz, st) == 200;
      };
      handlers::AutoindexPage page = handlers::render_autoindex(air);
      if (page.status != 200) {
        send_error(ex, st, page.status, dir, sv);
        return;
      }
      auto& h = ex.response();
      h.status = 200;
      h.set_content_type(page.content_type);
      if (req.method == http::Method::Head) {
        // mod_autoindex stops after the headers for HEAD: no Content-Length
        ex.write({}, true, {});
        return;
      }
      h.content_length = page.body.size();
      handlers::write_owned(ex, std::move(page.body));
      return;
    }
  }
  if (!S_ISREG(fst.st_mode)) {
    send_error(ex, st, 403, dir, sv);
    return;
  }

  // A declared body over LimitRequestBody is refused before it is read (413), and before the method
  // is looked at (apache2's default handler discards the body first); with an ErrorDocument for 413
  // the refusal is answered here, so that the ErrorDocument applies (the connection closes after it,
  // as after any 413). Without one the body read below refuses it with the plain page.
  const bool over_limit = declared_body_over_limit(req, dir);
  if (over_limit && dir->core->error_documents.contains(413)) {
    send_error(ex, st, 413, dir, sv);
    return;
  }
  // The default handler refuses a method a file cannot take (405) or does not know (501): with an
  // ErrorDocument for that status the refusal is answered here, so that the ErrorDocument applies
  if (const int ms = http::default_handler_status(req.method);
      !over_limit && (ms == 405 || ms == 501) && dir && dir->core->error_documents.contains(ms)) {
    send_error(ex, st, ms, dir, sv, http::kDefaultHandlerAllow);
    return;
  }
  handlers::StaticFile f;
  f.st = fst;
  auto slash = file_path.rfind('/');
  std::string_view base_name = std::string_view(file_path).substr(slash == std::string::npos ? 0 : slash + 1);
  handlers::assign_file_mime(f, base_name, snap.mime, dir); // type, charset, encoding, language
  f.etag = !(dir && dir->core->etag_none.value_or(false));
  if (dir && dir->core->limit_request_body)
    f.body_limit = static_cast<std::uint64_t>(*dir->core->limit_request_body);
  f.path = std::move(file_path);
  f.hold = st.snapshot;
  // a chunked body over LimitRequestBody is found out while the handler reads it: its 413 (or a bad
  // chunk's 400) takes the ErrorDocument like the 413 of a declared length above
  f.body_error = [](net::Exchange& e, void* s, int status) {
    handler_error_page(e, *static_cast<RequestState*>(s), status, {});
  };
  f.body_error_arg = &st;
  // an ErrorDocument's file goes out with the error status, whatever the request's conditional and
  // Range fields say (Apache's default handler evaluates them only for a 2xx)
  if (st.redirected_from) f.status = st.redirected_from->redirect->exchange->status();
  handlers::serve_static_file(ex, std::move(f));
}

} // namespace balancerd::pipeline
