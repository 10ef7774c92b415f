#pragma once
// balancer-manager's request logic without I/O: given the request's method, query, body, Referer
// and identity, and the server's state and facts, it applies the changes Apache would and produces
// the response. serve_balancer_manager (balancer_manager.hpp) feeds it from an Exchange; tests call it
// directly.
//
// Apache's flow (mod_proxy_balancer's balancer_handler), kept in this order:
//  1. every balancer of the server is synced (a pending lbmethod reset runs);
//  2. GET: the query's w, b, nonce and xml are read; POST: the form body (first 1024 bytes), not the
//     query;
//  3. without a Referer whose host is the server name, every parameter is dropped (and AH10187 is
//     logged — Apache logs it for every such request, even one without parameters);
//  4. b selects a balancer, w a member of it;
//  5. changes are applied only when the balancer has a nonce and the nonce parameter equals it
//     (manager_updates.hpp); a failed member addition answers Apache's 400 error page;
//  6. xml present: the XML view, else the HTML page (with the edit form of the selection).
//
// Extensions (not in Apache; each documented where it is built):
//  * GET ?auto (proxy_status_lines.hpp), ?prometheus (prometheus_text.hpp), ?json (json_view.hpp):
//    only when the query holds none of Apache's keys (w, b, nonce, xml) — otherwise the request is
//    Apache's and is answered as Apache does;
//  * POST with Content-Type application/json (json_params.hpp): the form's keys as a JSON object,
//    same Referer and nonce rules, answered with the JSON view;
//  * the HTML page's error/draining row marks (html_page.hpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directives/model/config.hpp"
#include "server/balancer/state_store.hpp"
#include "server/manager/page_model.hpp"
#include "server/manager/request_identity.hpp"

namespace balancerd::manager {

enum class ManagerMethod { Get, Post, Other };

struct ManagerRequest {
  ManagerMethod method = ManagerMethod::Get;
  std::string_view query; // GET only (a POST's query is ignored, as Apache does)
  std::string_view body;  // POST body as read (at most kMaxFormBody / kMaxJsonBody)
  bool json_body = false; // POST with Content-Type application/json (extension)
  std::optional<std::string_view> referer;
  std::string_view uri; // r->uri
  RequestIdentity identity;
  std::string signature; // ap_psignature for the HTML page ("" with ServerSignature Off)
};

// The server's side: its state, its configuration and the facts the page prints.
struct ManagerServer {
  balancer::StateStore* store = nullptr;
  int server_index = -1;
  const directives::ProxyServerConf* proxy = nullptr; // merged (members' static values, add defaults)
  int threads_per_child = 25;
  bool mark_states = true; // the HTML rows' error/draining marks (extension; off = Apache's bytes)
  PageFacts facts; // version, built, module facts, hc expressions (request fields are filled per request)
};

struct ManagerResponse {
  int status = 200;
  bool error_page = false;  // answer with the server's standard error page for `status`
  std::string content_type; // when !error_page
  std::string body;
  std::vector<std::string> error_logs; // lines for the error log at level error (proxy_balancer)
  bool changed = false;                // the state was changed (persisted when BalancerPersist is On)
};

// Module and server facts from a compiled configuration: lbmethods and hcheck/ajp presence from the
// loaded modules, ThreadsPerChild, and the ProxyHCExpr list `source` sees (mod_proxy_hcheck's
// per-server table: a virtual host without hcheck directives of its own shares the main server's).
void fill_server_facts(ManagerServer& server, const directives::Config& config,
                       const directives::ServerConf& source);

ManagerResponse handle_manager_request(const ManagerRequest& request, ManagerServer& server);

// "Server Built:" for this program (Apache prints its build time in the same form).
std::string_view build_time_text();

} // namespace balancerd::manager
