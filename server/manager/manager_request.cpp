#include "server/manager/manager_request.hpp"

#include <cstring>
#include <mutex>

#include "server/http/error_page.hpp"
#include "server/manager/balancer_snapshot.hpp"
#include "server/manager/form_params.hpp"
#include "server/manager/html_page.hpp"
#include "server/manager/json_params.hpp"
#include "server/manager/json_view.hpp"
#include "server/manager/manager_updates.hpp"
#include "server/manager/prometheus_text.hpp"
#include "server/manager/proxy_status_lines.hpp"
#include "server/manager/xml_page.hpp"

namespace balancerd::manager {

namespace {

enum class Extension { None, Auto, Prometheus, Json };

// The extension a GET asks for by a bare query key ("?auto", "?prometheus", "?json").
Extension extension_of(std::string_view query) {
  Extension found = Extension::None;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view piece = query.substr(pos, amp - pos);
    pos = amp + 1;
    const std::string key = unescape_url(piece.substr(0, piece.find('=')));
    if (found != Extension::None) continue;
    if (key == "auto") found = Extension::Auto;
    if (key == "prometheus") found = Extension::Prometheus;
    if (key == "json") found = Extension::Json;
  }
  return found;
}

void sync_balancers(balancer::StateStore& store, int server_index) {
  for (balancer::BalancerState* b : store.balancers(server_index)) {
    std::lock_guard lock(b->mutex());
    if (b->reset_pending()) b->apply_pending_reset_locked();
  }
}

PageFacts request_facts(const ManagerServer& server, const ManagerRequest& request) {
  PageFacts facts = server.facts;
  facts.uri = std::string(request.uri);
  facts.server_name = request.identity.server_name;
  facts.action = construct_url(request.identity, request.uri);
  facts.persist = server.store->persist(server.server_index);
  facts.inherit = server.store->balancer_inherit(server.server_index);
  facts.pass_inherit = server.store->pass_inherit(server.server_index);
  return facts;
}

std::vector<BalancerRow> rows_of(const ManagerServer& server) {
  return snapshot_balancers(*server.store, server.server_index, server.threads_per_child);
}

ManagerResponse extension_response(Extension ext, const ManagerRequest& request, ManagerServer& server) {
  sync_balancers(*server.store, server.server_index);
  const auto rows = rows_of(server);
  ManagerResponse r;
  switch (ext) {
  case Extension::Auto:
    r.content_type = "text/plain; charset=ISO-8859-1";
    append_manager_auto(r.body, rows);
    break;
  case Extension::Prometheus:
    r.content_type = std::string(kPrometheusContentType);
    append_prometheus(r.body, rows);
    break;
  case Extension::Json:
  case Extension::None:
    r.content_type = "application/json";
    append_json_view(r.body, request_facts(server, request), rows, false);
    break;
  }
  return r;
}

std::string lbmethod_of_module(std::string_view id) {
  constexpr std::string_view prefix = "lbmethod_", suffix = "_module";
  if (id.size() <= prefix.size() + suffix.size() || id.substr(0, prefix.size()) != prefix ||
      id.substr(id.size() - suffix.size()) != suffix)
    return {};
  return std::string(id.substr(prefix.size(), id.size() - prefix.size() - suffix.size()));
}

} // namespace

std::string_view build_time_text() {
  // __DATE__ is "Mmm dd yyyy", __TIME__ "hh:mm:ss": Apache prints "yyyy-mm-ddThh:mm:ss".
  static const std::string text = [] {
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::string date = __DATE__;
    int month = 1;
    for (int i = 0; i < 12; ++i)
      if (date.compare(0, 3, kMonths[i]) == 0) month = i + 1;
    std::string day = date.substr(4, 2);
    if (day[0] == ' ') day[0] = '0';
    std::string out = date.substr(7, 4) + "-" + (month < 10 ? "0" : "") + std::to_string(month) + "-" + day;
    return out + "T" + __TIME__;
  }();
  return text;
}

void fill_server_facts(ManagerServer& server, const directives::Config& config,
                       const directives::ServerConf& source) {
  PageFacts& f = server.facts;
  f.version = std::string(http::server_banner(http::ServerTokens::Full));
  f.built = std::string(build_time_text());
  f.lbmethods.clear();
  f.hcheck = f.cping = false;
  for (const auto& m : config.modules) {
    if (m.id == "proxy_hcheck_module") f.hcheck = true;
    if (m.id == "proxy_ajp_module") f.cping = true;
    if (auto name = lbmethod_of_module(m.id); !name.empty()) f.lbmethods.push_back(std::move(name));
  }
  f.hc_exprs.clear();
  // mod_proxy_hcheck's table is per server without a merge: a virtual host that has no hcheck
  // directive of its own shares the main server's (apache2 lists the main server's ProxyHCExpr on
  // such a vhost's page); one that has its own sees only those.
  const bool own =
      !source.is_vhost || !source.proxy.hc_conditions.empty() || !source.proxy.hc_templates.empty();
  for (const auto& c : (own ? source : config.main).proxy.hc_conditions)
    f.hc_exprs.emplace_back(c.name, c.expr);
  const auto& core = config.main.core;
  if (core.mpm && *core.mpm == "prefork")
    server.threads_per_child = 1;
  else
    server.threads_per_child = core.mpm_conf.threads_per_child.value_or(25);
}

ManagerResponse handle_manager_request(const ManagerRequest& request, ManagerServer& server) {
  ManagerResponse resp;
  Params params;
  const bool json = request.method == ManagerMethod::Post && request.json_body;
  if (request.method == ManagerMethod::Get) {
    parse_query_params(request.query, params);
    if (params.empty()) {
      if (auto ext = extension_of(request.query); ext != Extension::None)
        return extension_response(ext, request, server);
    }
  } else if (json) {
    if (auto err = parse_json_params(request.body, params)) {
      resp.status = 400;
      resp.content_type = "application/json";
      append_json_error(resp.body, "malformed JSON update: " + *err);
      return resp;
    }
  } else {
    parse_body_params(request.body, params);
  }

  sync_balancers(*server.store, server.server_index);

  JsonUpdateNotes notes;
  if (!request.referer || !safe_referer(*request.referer, request.identity.server_name)) {
    if (json && !params.empty())
      notes.refused = request.referer ? "cross-site Referer: the update was ignored"
                                      : "no Referer: the update was ignored";
    resp.error_logs.push_back("AH10187: ignoring params in balancer-manager cross-site access " +
                              (request.referer ? std::string(*request.referer) : std::string("(null)")) +
                              ": " + request.identity.server_name);
    params.clear();
  }

  balancer::BalancerState* bsel = nullptr;
  balancer::WorkerState* wsel = nullptr;
  if (const std::string* b = params.get("b"); b && !b->empty())
    bsel = server.store->balancer(server.server_index, balancer_url_for(*b));
  if (const std::string* w = params.get("w"); w && bsel) wsel = find_member(*bsel, *w);

  bool updated = false;
  if (json && !params.empty() && !bsel)
    notes.refused = "no balancer of that name (b): the update was ignored";
  if (bsel) {
    const std::string nonce = bsel->settings().nonce;
    const std::string* given = params.get("nonce");
    if (json && !(!nonce.empty() && given && *given == nonce))
      notes.refused = "missing or wrong nonce: the update was ignored";
    if (!nonce.empty() && given && *given == nonce) {
      UpdateContext ctx;
      ctx.hcheck = server.facts.hcheck;
      for (const auto& [name, expr] : server.facts.hc_exprs) ctx.hc_exprs.push_back({name, expr});
      ctx.server = server.proxy;
      if (json && !wsel && params.has("w"))
        notes.rejected.push_back(
            {"w", *params.get("w"), "no member of that name: its settings were ignored"});
      UpdateOutcome out = apply_updates(*server.store, *bsel, wsel, params, ctx);
      for (auto& l : out.logs) resp.error_logs.push_back(std::move(l));
      for (auto& p : out.rejected) notes.rejected.push_back(std::move(p));
      resp.changed = out.changed;
      updated = out.changed;
      if (out.status != 0) {
        resp.status = out.status;
        if (json) {
          resp.content_type = "application/json";
          append_json_error(resp.body, "the member could not be added");
        } else {
          resp.error_page = true;
        }
        return resp;
      }
    }
  }

  const auto rows = rows_of(server);
  const PageFacts facts = request_facts(server, request);
  if (json) {
    resp.content_type = "application/json";
    append_json_view(resp.body, facts, rows, updated, notes);
    return resp;
  }
  if (params.has("xml")) {
    resp.content_type = "text/xml";
    append_xml_page(resp.body, rows);
    return resp;
  }
  HtmlOptions options;
  options.signature = request.signature;
  options.mark_states = server.mark_states;
  if (bsel) {
    for (const auto& row : rows) {
      if (row.view.name != bsel->name()) continue;
      options.bsel = &row;
      if (wsel) {
        for (std::size_t i = 0; i < row.members.size() && i < bsel->size(); ++i)
          if (&bsel->member(i) == wsel) options.wsel = &row.members[i];
      }
    }
  }
  resp.content_type = "text/html; charset=ISO-8859-1";
  append_html_page(resp.body, facts, rows, options);
  return resp;
}

} // namespace balancerd::manager
