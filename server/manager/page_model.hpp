#pragma once
// What the balancer-manager pages print: a consistent copy of one server's balancers and members
// (taken from the state store under each balancer's lock, then rendered without any lock), the
// members' static configuration values the XML view shows, and the facts about the request and the
// server (name, URI, loaded modules) that Apache's page prints.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "directives/model/proxy_worker.hpp"
#include "server/balancer/balancer_state.hpp"
#include "server/balancer/health_state.hpp"
#include "server/balancer/worker_state.hpp"

namespace balancerd::manager {

struct MemberRow {
  balancer::WorkerView live; // live.name: ap_proxy_worker_name ("unix:/path|http://..." for UDS)
  std::string name_ex;       // the plain worker name (links, hidden form field, ?auto)
  bool uds = false;          // Unix-socket worker: the page prints its name in <i>
  std::string scheme;
  std::string hostname;
  int port = 0;
  // Static values (Apache's shared worker fields the XML prints): min/smax/max already resolved as
  // Apache's worker init does (max 0 -> ThreadsPerChild, smax -1 or above max -> max, min <= smax).
  int min = 0, smax = 25, hmax = 25;
  directives::WorkerParams params;
};

struct BalancerRow {
  balancer::BalancerView view; // settings, name, sname, vpath, vhost, max_members (members unused)
  std::size_t used = 0;        // members in use (configured + added)
  std::vector<MemberRow> members;
  std::string short_name() const; // name without "balancer://"
};

struct PageFacts {
  std::string uri;          // r->uri: the decoded request path
  std::string server_name;  // ap_get_server_name (the Host header's name with UseCanonicalName Off)
  std::string action;       // ap_construct_url(r->uri): the edit forms' target, before escaping
  std::string version;      // "Server Version:" (ap_get_server_description)
  std::string built;        // "Server Built:"
  bool persist = false;     // BalancerPersist
  bool inherit = true;      // BalancerInherit
  bool pass_inherit = true; // ProxyPassInherit
  bool hcheck = false;      // mod_proxy_hcheck loaded: HC columns, HC Fail radio, hc form, exprs table
  bool cping = false;       // mod_proxy_ajp loaded: the CPING health-check method is implemented
  std::vector<std::string> lbmethods;                        // registered lbmethod providers
  std::vector<std::pair<std::string, std::string>> hc_exprs; // ProxyHCExpr name, expression
};

// The health-check methods in Apache's table order, their names (mod_proxy_hcheck's, from the
// balancer), and whether each is offered (implemented).
std::span<const directives::HcMethod> hc_methods();
using balancer::hc_method_name;
bool hc_method_implemented(directives::HcMethod method, bool cping);

} // namespace balancerd::manager
