#include "server/manager/balancer_manager.hpp"

#include <memory>
#include <string>

#include "server/handlers/owned_body.hpp"
#include "server/http/error_page.hpp"
#include "server/log/error_log.hpp"
#include "server/log/log_set.hpp"
#include "server/log/request_log_view.hpp"
#include "server/manager/form_params.hpp"
#include "server/manager/json_params.hpp"
#include "server/manager/manager_request.hpp"
#include "server/manager/page_format.hpp"
#include "server/pipeline/request_log.hpp"
#include "server/pipeline/snapshot.hpp"

namespace balancerd::manager {

namespace {

struct Job {
  net::Exchange* ex = nullptr;
  pipeline::RequestState* state = nullptr;
  balancer::StateStore* store = nullptr;
  std::string body; // the first bytes of the request body (what Apache reads)
  std::size_t keep = kMaxFormBody;
  bool json = false;
};

http::ServerTokens tokens_of(const std::optional<std::string>& v) {
  if (!v) return http::ServerTokens::Full;
  if (http::iequals(*v, "prod") || http::iequals(*v, "productonly")) return http::ServerTokens::Prod;
  if (http::iequals(*v, "major")) return http::ServerTokens::Major;
  if (http::iequals(*v, "minor")) return http::ServerTokens::Minor;
  if (http::iequals(*v, "min") || http::iequals(*v, "minimal")) return http::ServerTokens::Minimal;
  if (http::iequals(*v, "os")) return http::ServerTokens::OS;
  return http::ServerTokens::Full;
}

// ap_psignature("", r): "<address>BANNER Server at NAME Port N</address>\n" (a mailto link around
// NAME with ServerSignature EMail), "" with Off.
std::string signature_of(const pipeline::RequestState& st, const RequestIdentity& id) {
  const auto* dir = st.dir.get();
  if (!dir || !dir->core->server_signature) return {};
  const std::string& v = *dir->core->server_signature;
  const bool email = http::iequals(v, "email");
  if (!email && !http::iequals(v, "on")) return {};
  std::string out = "<address>";
  const auto* snap = st.snapshot.get();
  out += http::server_banner(
      tokens_of(snap && snap->config ? snap->config->main.core.server_tokens : std::nullopt));
  out += " Server at ";
  if (email) {
    out += "<a href=\"mailto:";
    // apache2 prints "mailto:[no address given]" without a ServerAdmin.
    if (st.server && st.server->merged.core.server_admin)
      append_html(out, *st.server->merged.core.server_admin);
    else
      out += "[no address given]";
    out += "\">";
    append_html(out, id.server_name);
    out += "</a>";
  } else {
    append_html(out, id.server_name);
  }
  out += " Port ";
  out += std::to_string(id.port);
  out += "</address>\n";
  return out;
}

std::string allow_of(const pipeline::RequestState& st) {
  std::string allow = "POST,OPTIONS,HEAD,GET";
  const auto* sv = st.server;
  if (!(sv && sv->merged.core.trace_enable && http::iequals(*sv->merged.core.trace_enable, "off")))
    allow += ",TRACE";
  return allow;
}

// The request fields Apache's error-log lines show for a request ("[client IP:port]", ", referer: ...").
std::optional<std::string_view> request_header(const void* ctx, std::string_view name) {
  const auto* h = static_cast<const http::Request*>(ctx)->find(name);
  if (!h) return std::nullopt;
  return std::string_view(h->value);
}

void log_manager_lines(net::Exchange& ex, const pipeline::RequestState& st,
                       const std::vector<std::string>& lines) {
  if (lines.empty() || !st.logs || !st.logs->error_log) return;
  const auto& peer = ex.peer();
  log::ConnLogView conn;
  conn.peer_ip = peer.remote_ip;
  conn.peer_port = peer.remote_port;
  conn.local_ip = peer.local_ip;
  conn.local_port = peer.local_port;
  log::RequestLogView view;
  view.conn = &conn;
  view.client_ip =
      st.ctx.info.useragent_ip.empty() ? peer.remote_ip : std::string_view(st.ctx.info.useragent_ip);
  view.client_port = peer.remote_port;
  view.method = ex.request().method_text;
  view.path = ex.request().path;
  view.headers_in = {&ex.request(), &request_header};
  for (const auto& line : lines)
    BD_ERROR_LOG(*st.logs->error_log, pipeline::request_levels(st), log::mod::proxy_balancer, log::kError,
                 &view, "{}", line);
}

void finish(const std::shared_ptr<Job>& job) {
  net::Exchange& ex = *job->ex;
  pipeline::RequestState& st = *job->state;
  const auto& req = ex.request();

  ManagerServer server;
  server.store = job->store;
  server.server_index = st.server ? st.server->index : -1;
  server.proxy = st.server ? &st.server->merged.proxy : nullptr;
  if (st.snapshot && st.snapshot->config) {
    const auto& config = *st.snapshot->config;
    fill_server_facts(server, config, st.server && st.server->source ? *st.server->source : config.main);
  }

  IdentityInputs in;
  in.host = req.host;
  in.host_port = req.port;
  if (st.server && st.server->merged.core.server_name) {
    in.server_name = *st.server->merged.core.server_name;
    if (st.server->merged.core.server_port) in.server_port = *st.server->merged.core.server_port;
  }
  if (st.snapshot) in.fallback_name = st.snapshot->main_name;
  if (st.dir && st.dir->core->use_canonical_name) in.use_canonical_name = *st.dir->core->use_canonical_name;
  in.local_port = ex.peer().local_port;

  ManagerRequest mr;
  mr.method = req.method == http::Method::Post ? ManagerMethod::Post : ManagerMethod::Get;
  mr.query = req.query;
  mr.body = job->body;
  mr.json_body = job->json;
  if (const auto* ref = req.find("Referer")) mr.referer = ref->value;
  mr.uri = st.uri.empty() ? req.path : std::string_view(st.uri);
  mr.identity = identify(in);
  mr.signature = signature_of(st, mr.identity);

  ManagerResponse resp = handle_manager_request(mr, server);

  log_manager_lines(ex, st, resp.error_logs);
  if (resp.changed && server.store->persist(server.server_index)) server.store->save();

  if (resp.error_page) {
    ex.send_error(resp.status);
    return;
  }
  auto& h = ex.response();
  h.status = resp.status;
  h.set_content_type(resp.content_type);
  // Apache streams the HTML pages (chunked); ?xml=1 and the extensions' bodies go with a length.
  const bool apache_page = resp.content_type.starts_with("text/html");
  if (!apache_page) h.content_length = resp.body.size();
  handlers::write_owned(ex, std::move(resp.body), apache_page);
}

void read_body(const std::shared_ptr<Job>& job) {
  job->ex->read_body([job](const net::BodyPiece& piece) {
    if (piece.error) {
      if (piece.error > 0) job->ex->send_error(piece.error);
      return;
    }
    if (job->body.size() < job->keep) {
      const std::size_t take = std::min(job->keep - job->body.size(), piece.data.size());
      job->body.append(piece.data.data(), take);
    }
    if (piece.end) {
      finish(job);
      return;
    }
    read_body(job);
  });
}

} // namespace

void serve_balancer_manager(net::Exchange& ex, pipeline::RequestState& state, balancer::StateStore& store) {
  const auto& req = ex.request();
  if (req.method == http::Method::Options) {
    ex.response().add("Allow", allow_of(state));
    ex.respond(200, {}, {});
    return;
  }
  if (req.method != http::Method::Get && req.method != http::Method::Head &&
      req.method != http::Method::Post) {
    http::ErrorPageInfo info;
    info.method = req.method_text;
    ex.send_error(405, info, allow_of(state));
    return;
  }
  auto job = std::make_shared<Job>();
  job->ex = &ex;
  job->state = &state;
  job->store = &store;
  if (req.method == http::Method::Post) {
    if (const auto* ct = req.find("Content-Type"); ct && is_json_content_type(ct->value)) {
      job->json = true;
      job->keep = kMaxJsonBody;
    }
  } else {
    job->keep = 0; // a GET's body is read and dropped (Apache discards it after the handler)
  }
  if (req.body == http::BodyKind::None) {
    finish(job);
    return;
  }
  std::uint64_t limit = 1073741824; // Apache 2.4.71's default LimitRequestBody
  if (state.dir && state.dir->core->limit_request_body)
    limit = static_cast<std::uint64_t>(*state.dir->core->limit_request_body);
  ex.set_body_limit(limit);
  read_body(job);
}

} // namespace balancerd::manager
