#pragma once
// The per-request state the pipeline keeps while a request is in flight and hands to the handler it
// chose (static files, the proxy, balancer-manager): the effective configuration, the request's
// environment (subprocess_env) and notes, and the expression context over them. It lives until the
// exchange's response has completed and been logged, so a handler may keep a reference until then.
// Handlers write BALANCER_* and the like into `env`; Header env=, LogFormat %{VAR}e and SetEnvIf
// read them from there.
#include <memory>
#include <string>

#include "directives/model/config.hpp"
#include "server/expr/expr_context.hpp"
#include "server/expr/var_table.hpp"
#include "server/log/log_level.hpp"
#include "server/net/exchange.hpp"
#include "server/pipeline/internal_redirect.hpp"
#include "server/runtime/request_config.hpp"

namespace balancerd::log {
struct ServerLogs;
struct RequestLogView;
} // namespace balancerd::log
namespace balancerd::http {
struct ErrorPageInfo;
}

namespace balancerd::pipeline {

struct Snapshot;

struct RequestState {
  // What the response path reads (Pipeline::on_head, finished, release_state) sits in the first two
  // lines: at many connections a state is out of cache again when its response arrives, and these
  // members spread over five lines cost a miss each (see each one's comment further down).
  std::shared_ptr<const Snapshot> snapshot;       // keeps the configuration alive for the request
  const runtime::ServerView* server = nullptr;    // the selected (virtual) server
  std::shared_ptr<const directives::DirConf> dir; // effective per-dir configuration
  std::unique_ptr<InternalRedirect> redirect;     // (ErrorDocument redirects, below)
  const log::ServerLogs* logs = nullptr;          // (the server's error log, below)
  bool error_response = false;                    // (kept by the pipeline, below)
  expr::VarTable vary;                            // (kept by the pipeline, below)
  expr::VarTable env;                             // r->subprocess_env
  expr::VarTable notes;                           // r->notes
  expr::VarTable headers_in;                      // request headers when rules changed them (ctx.headers_in)
  expr::VarTable ssl_vars;                        // mod_ssl's variables on a TLS connection (ctx.ssl_vars)
  expr::RequestContext ctx;                       // facts, headers, env and notes for ap_expr and mod_headers
  std::string uri;                                // the decoded, normalised path (r->uri)
  std::string filename;                           // r->filename ("proxy:http://..." when proxied; %f)
  // `logs` (declared at the top): the server's error log and its levels (null in unit tests that run
  // without logs). Handlers log with BD_ERROR_LOG(*logs->error_log, logs->levels, ...) after checking
  // the pointer.
  // Per-directory LogLevel: request_levels() (request_log.hpp) gives the levels to filter with,
  // the server's or, when the request's sections set LogLevel, theirs (cached here per `dir`).
  mutable const directives::DirConf* levels_dir = nullptr;
  mutable log::LevelTable dir_levels;
  mutable bool use_dir_levels = false;
  // The client's name once looked up (Require host, Allow from <name>, HostnameLookups) on this
  // request or earlier on its connection, lower case: %h and REMOTE_HOST then show it even with
  // HostnameLookups Off, as Apache keeps it on the connection. See resolve_remote_host().
  std::string remote_host;
  // Where lookups are kept: the connection's names (of `exchange`, set in post_read_request), or
  // request_names when there are none or mod_remoteip replaced the client address (Apache's
  // r->useragent_host, per request).
  net::Exchange* exchange = nullptr;
  net::ConnectionNames request_names;
  std::string handler; // r->handler ("proxy-server", "balancer-manager"; %R)
  // How the pipeline answers an error of this request: the ErrorDocument of the request's
  // per-directory configuration, else Apache's page with `info` (which must stay valid until the
  // response completed). Handlers that fail later (mod_proxy's 502/503, ProxyErrorOverride) answer
  // through it, as Apache's ap_die does. Set by the pipeline before a handler runs.
  using ErrorPageFn = void (*)(net::Exchange&, RequestState&, int status, const http::ErrorPageInfo& info);
  ErrorPageFn send_error_page = nullptr;
  // Fields a handler keeps on such an error page (r->err_headers_out: a backend's WWW-Authenticate
  // under ProxyErrorOverride); the pipeline adds them to the page's head.
  expr::VarTable error_page_fields;

  // --- kept by the pipeline -------------------------------------------------------------------
  std::string useragent_ip; // r->useragent_ip after mod_remoteip (ctx.info.useragent_ip views it)
  std::string the_request;  // the request line (ctx.info.the_request views it)
  // `error_response` (at the top): the pipeline generated a redirect/error page: only `Header always`
  expr::VarTable headers_out; // mod_headers' output filter works on these two (scratch)
  expr::VarTable err_headers_out;
  // `vary` (at the top): request headers an expression read (<If>, Require expr): sent in Vary
  std::string scratch; // reused value buffer for rule formatting

  // --- ErrorDocument internal redirects (internal_redirect.hpp); unused unless one happens ------
  net::RequestHandler* pipeline = nullptr; // runs a redirect's phases (set by the pipeline)
  // `redirect` (at the top): this request's error was answered by a redirect
  RequestState* redirected_from = nullptr; // this request is such a redirect, answering that one

  // Let go of what the finished request owned (the configuration snapshot, the per-dir config, a
  // redirect's state) as soon as it is done; the rest waits for reset(). Why two steps: at many
  // connections a pooled state's lines are out of cache by the time it is reused, so clearing all of
  // it when a request ends and filling it again when the next starts cost every line twice (callgrind,
  // 512 connections: ~20 L2 write misses per request). reset() right before the fill costs them once.
  void release_references() noexcept {
    snapshot.reset();
    dir.reset();
    redirect.reset(); // the pipeline has released the redirect's own state already
  }

  // Forget the previous request but keep the buffers' capacity (states are pooled per thread).
  void reset() {
    snapshot.reset();
    server = nullptr;
    dir.reset();
    env.clear();
    notes.clear();
    headers_in.clear();
    ctx = fresh_context(); // a copy of one default (no ~600-byte temporary built per request)
    uri.clear();
    filename.clear();
    logs = nullptr;
    levels_dir = nullptr;
    use_dir_levels = false;
    remote_host.clear();
    exchange = nullptr;
    request_names.remote_host.clear();
    request_names.looked_up = false;
    request_names.double_reverse = 0;
    handler.clear();
    useragent_ip.clear();
    the_request.clear();
    error_response = false;
    error_page_fields.clear();
    headers_out.clear();
    err_headers_out.clear();
    vary.clear();
    pipeline = nullptr;
    redirect.reset(); // the pipeline has released the redirect's own state already
    redirected_from = nullptr;
  }

  static const expr::RequestContext& fresh_context() noexcept {
    static const expr::RequestContext fresh{};
    return fresh;
  }

  // Request headers as they are to be forwarded or inspected: after RequestHeader and mod_remoteip.
  // (ctx.headers_in points at headers_in when those changed them, else ctx reads the parser's view.)
  template <class Fn> void for_each_request_header(Fn&& fn) const {
    ctx.for_each_request_header(
        [](void* arg, std::string_view n, std::string_view v) { (*static_cast<Fn*>(arg))(n, v); },
        const_cast<void*>(static_cast<const void*>(&fn)));
  }
};

} // namespace balancerd::pipeline
