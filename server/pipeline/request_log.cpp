#include "server/pipeline/request_log.hpp"

#include <pthread.h>
#include <unistd.h>

#include "server/access/host_cache.hpp"
#include "server/expr/expr_eval.hpp"
#include "server/http/response.hpp"

namespace balancerd::pipeline {
namespace {

std::optional<std::string_view> table_lookup(const void* ctx, std::string_view name) {
  return static_cast<const expr::VarTable*>(ctx)->get(name);
}

// %{NAME}x: mod_ssl's variables (ctx: the request's table, null off TLS). Off TLS every name logs "-",
// except HTTPS, which mod_ssl answers "off" on a plain connection.
std::optional<std::string_view> ssl_var_lookup(const void* ctx, std::string_view name) {
  if (ctx) return static_cast<const expr::VarTable*>(ctx)->get(name);
  if (name == "HTTPS") return std::string_view("off");
  return std::nullopt;
}

std::optional<std::string_view> raw_header_lookup(const void* ctx, std::string_view name) {
  const auto* h = static_cast<const http::Request*>(ctx)->find(name);
  if (!h) return std::nullopt;
  return h->value;
}

std::optional<std::string_view> state_header_lookup(const void* ctx, std::string_view name) {
  return static_cast<const RequestState*>(ctx)->ctx.request_header(name);
}

// Response fields as sent: the head's fields, then Content-Length and Content-Type as Apache's
// headers_out holds them.
std::optional<std::string_view> response_lookup(const void* ctx, std::string_view name) {
  const auto& head = *static_cast<const http::ResponseHead*>(ctx);
  std::string_view fields = head.fields();
  while (!fields.empty()) {
    const std::size_t eol = fields.find("\r\n");
    const std::string_view line = fields.substr(0, eol);
    fields.remove_prefix(eol == std::string_view::npos ? fields.size() : eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !http::iequals(line.substr(0, colon), name)) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    return value;
  }
  if (http::iequals(name, "Content-Length") && head.content_length) {
    thread_local std::string length;
    length.clear();
    http::append_decimal(length, *head.content_length);
    return std::string_view(length);
  }
  if (http::iequals(name, "Content-Type") && !head.content_type().empty()) return head.content_type();
  return std::nullopt;
}

std::optional<std::string_view> no_lookup(const void*, std::string_view) {
  return std::nullopt;
}

std::string_view plain_server_name(std::string_view name) {
  if (auto s = name.find("://"); s != std::string_view::npos) name.remove_prefix(s + 3);
  if (auto c = name.rfind(':'); c != std::string_view::npos && name.find(']') == std::string_view::npos)
    name = name.substr(0, c);
  return name;
}

// The expression context of a finished request, read through the log view. Writes (setenv in an
// expression) go nowhere: the request is over.
class LogViewContext final : public expr::ExprContext {
public:
  explicit LogViewContext(const log::RequestLogView& v) : v_(v) {
    info_.method = v.method;
    info_.uri = v.path;
    info_.query = v.query;
    info_.protocol = v.protocol;
    info_.the_request = v.request_line;
    info_.filename = v.filename;
    info_.handler = v.handler;
    if (v.content_type) info_.content_type = *v.content_type;
    info_.server_name = v.server_name;
    info_.remote_host = v.remote_host;
    info_.remote_user = v.user.value_or(std::string_view());
    info_.useragent_ip = v.client_ip;
    if (v.conn) {
      info_.client_ip = v.conn->peer_ip;
      info_.local_ip = v.conn->local_ip;
    }
    info_.server_port = v.server_port;
    info_.remote_port = v.client_port;
    info_.status = v.status;
    info_.request_time_us =
        std::chrono::duration_cast<std::chrono::microseconds>(v.begin.time_since_epoch()).count();
  }
  const expr::RequestFacts& facts() const override { return info_; }
  std::optional<std::string_view> request_header(std::string_view name) const override {
    return v_.headers_in(name);
  }
  void for_each_request_header(void (*)(void*, std::string_view, std::string_view), void*) const override {}
  std::optional<std::string_view> response_header(std::string_view name) const override {
    return v_.headers_out(name);
  }
  std::optional<std::string_view> env(std::string_view name) const override { return v_.env(name); }
  void set_env(std::string_view, std::string_view) override {}
  void unset_env(std::string_view) override {}
  std::optional<std::string_view> note(std::string_view name) const override { return v_.notes(name); }
  std::optional<std::string_view> ssl_var(std::string_view name) const override { return v_.ssl_var(name); }

private:
  const log::RequestLogView& v_;
  expr::RequestFacts info_;
};

} // namespace

const log::LevelTable& request_levels(const RequestState& st) {
  if (st.dir.get() != st.levels_dir) {
    st.levels_dir = st.dir.get();
    const auto* base = st.server ? st.server->base.get() : nullptr;
    st.use_dir_levels =
        st.dir && base && st.dir.get() != base && !(st.dir->core->log_level == base->core->log_level);
    if (st.use_dir_levels) st.dir_levels = log::LevelTable::from(st.dir->core->log_level);
  }
  return st.use_dir_levels ? st.dir_levels : st.logs->levels;
}

bool eval_log_condition(const directives::expr::Expr& expr, const log::RequestLogView& view) {
  LogViewContext ctx(view);
  return expr::Evaluator::this_thread().eval_bool(expr, ctx).value_or(false);
}

void fill_log_view(net::Exchange& ex, const net::ExchangeOutcome& outcome, const LogSubject& subject,
                   log::ConnLogView& conn, log::RequestLogView& v, log::RequestLogView* original) {
  const auto& req = ex.request();
  const auto& peer = ex.peer();
  conn.peer_ip = peer.remote_ip;
  conn.peer_port = peer.remote_port;
  conn.local_ip = peer.local_ip;
  conn.local_port = peer.local_port;
  conn.keepalives = outcome.keepalives;
  v.conn = &conn;
  const RequestState* st = subject.state;
  v.client_ip = st ? std::string_view(st->useragent_ip) : peer.remote_ip;
  v.client_port = peer.remote_port;
  v.begin = outcome.begin;
  v.end = std::chrono::system_clock::now();
  // %D and %T as mod_log_config takes them: the wall clock's end less the request's time (one clock
  // read for both, as Apache's request end time is read once).
  v.duration = std::chrono::duration_cast<std::chrono::microseconds>(v.end - v.begin);
  // An ErrorDocument's internal redirect: this view is the last request's (the redirect's); the
  // original request's view, for the items mod_log_config takes from it, is filled below
  const InternalRedirect* ir = st && st->redirect && st->redirect->exchange ? st->redirect.get() : nullptr;
  const RequestState* last = ir && ir->exchange->inner() ? ir->exchange->inner() : st;
  const http::Request& last_req = ir ? ir->exchange->request() : req;
  v.request_line = outcome.request_line;
  v.method = last_req.method_text;
  v.protocol = req.protocol.empty() && outcome.dispatched ? std::string_view("HTTP/0.9") : req.protocol;
  v.path = last && !last->uri.empty() ? std::string_view(last->uri) : last_req.path;
  v.query = last_req.query;
  if (st) {
    v.filename = last->filename;
    v.handler = last->handler;
  }
  v.status = outcome.status;
  v.body_bytes = outcome.body_bytes;
  if (ir) {
    v.original_status = ir->exchange->status();
    if (ir->failed) {
      // the page went out on the original request: the redirect itself sent nothing
      v.status = ir->nested_status;
      v.body_bytes = 0;
    }
  }
  v.bytes_in = outcome.bytes_in;
  v.bytes_out = outcome.bytes_out;
  v.connection_status = outcome.connection_status;
  if (subject.server) {
    const auto& core = subject.server->merged.core;
    v.server_name = core.server_name ? plain_server_name(*core.server_name) : subject.main_name;
  } else {
    v.server_name = subject.main_name;
  }
  v.request_host = req.host;
  v.server_port = peer.local_port;
  v.pid = static_cast<long>(::getpid());
  v.thread_id = static_cast<std::uint64_t>(::pthread_self());
  if (st) {
    v.headers_in = {last, &state_header_lookup};
    v.env = {&last->env, &table_lookup};
    v.notes = {&last->notes, &table_lookup};
    v.ssl_var = {st->ctx.ssl_vars, &ssl_var_lookup};
  } else {
    v.headers_in = {&req, &raw_header_lookup};
  }
  if (st && !st->remote_host.empty()) {
    v.remote_host = st->remote_host; // looked up for Require host: Apache logs it whatever the setting
  } else if (st && st->dir) {
    // HostnameLookups On/Double: %h (and REMOTE_HOST in a log condition) name the client
    const auto& mode = st->dir->core->hostname_lookups;
    if (mode && *mode != "off") {
      thread_local std::string host;
      host = access::lookup_remote_host(access::thread_host_resolver(), *mode, v.client_ip);
      if (!host.empty()) {
        v.remote_host = host;
        if (v.client_ip == peer.remote_ip) conn.peer_host = host;
      }
      // kept on the connection (conn_rec remote_host): its next requests show it, even where
      // HostnameLookups is Off (see resolve_remote_host)
      if (v.client_ip == peer.remote_ip)
        if (net::ConnectionNames* names = ex.connection_names(true); names && !names->looked_up) {
          names->remote_host = host;
          names->looked_up = true;
          names->double_reverse = *mode == "double" ? (host.empty() ? -1 : 1) : 0;
        }
    }
  }
  std::optional<std::string_view> response_type;
  if (!ex.response().content_type().empty()) response_type = ex.response().content_type();
  if (ir && ir->failed) {
    // the failed redirect's own response fields: none were sent, its type if mod_mime gave one
    v.headers_out = {nullptr, &no_lookup};
    if (!ir->content_type.empty()) v.content_type = ir->content_type;
  } else {
    v.headers_out = {&ex.response(), &response_lookup};
    v.content_type = response_type;
  }
  if (!ir || !original) return;
  // The original request: its own line, URI, method, query, file, handler, status and environment
  // (the headers are the table it shares with the redirect); its response fields and bytes are the
  // page's when the redirect failed (the page went out on it), else none
  log::RequestLogView& o = *original;
  o = v;
  o.method = req.method_text;
  o.path = !st->uri.empty() ? std::string_view(st->uri) : req.path;
  o.query = req.query;
  o.filename = st->filename;
  o.handler = st->handler;
  o.status = ir->exchange->status();
  o.body_bytes = ir->failed ? outcome.body_bytes : 0;
  o.env = {&st->env, &table_lookup};
  o.notes = {&st->notes, &table_lookup};
  if (ir->failed) {
    o.headers_out = {&ex.response(), &response_lookup};
    o.content_type = response_type;
  } else {
    o.headers_out = {nullptr, &no_lookup};
    o.content_type.reset();
  }
  v.original = &o;
}

void log_finished(net::Exchange& ex, const net::ExchangeOutcome& outcome, const LogSubject& subject,
                  const log::ServerLogs& logs) {
  if (logs.access_logs.empty()) return;
  log::ConnLogView conn;
  log::RequestLogView view, original;
  fill_log_view(ex, outcome, subject, conn, view, &original);
  logs.log_request(view);
}

} // namespace balancerd::pipeline
