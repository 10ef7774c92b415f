#pragma once
// A balancer:// definition: its parameters (ProxyPass balancer://..., ProxySet, <Proxy balancer://...
// k=v>) with Apache's defaults, and its members in configuration order.
#include "directives/model/proxy_worker.hpp"
#include "directives/model/source_file.hpp"

#include <string>
#include <vector>

namespace balancerd::directives {

struct BalancerParams {
  std::string lbmethod = "byrequests"; // provider name of a loaded mod_lbmethod_*
  bool lbmethod_set = false;
  std::string sticky;          // stickysession cookie name ("" = none)
  std::string sticky_path;     // URL parameter name (the part after '|', else same as sticky)
  char sticky_separator = '.'; // '\0' for stickysessionsep=Off
  bool sticky_separator_set = false;
  bool sticky_force = false; // nofailover
  bool sticky_force_set = false;
  bool scolonsep = false; // scolonpathdelim
  bool scolonsep_set = false;
  Micros timeout{0}; // wait for a usable worker; 0 = do not wait
  int max_attempts = 0;
  bool max_attempts_set = false; // unset: members - 1, computed at start
  std::string nonce;             // "" with nonce_set: nonce=None (no CSRF check)
  bool nonce_set = false;        // unset: a random UUID at start
  bool forcerecovery = true;
  bool forcerecovery_set = false;
  bool failontimeout = false;
  bool failontimeout_set = false;
  std::vector<int> errstatuses; // failonstatus, in the order given
  int growth = 0;
  bool growth_set = false;
  bool operator==(const BalancerParams&) const = default;
};

struct Balancer {
  std::string name;    // "balancer://app": lower-case, path removed
  std::string vpath;   // path of the ProxyPass that mounts it ("/" when defined by BalancerMember)
  std::string vhost;   // host part of that path, if it had one
  std::string section; // path of the <Proxy> section that configures it, if any
  bool has_section = false;
  SourceFile file; // where it was first defined
  unsigned line = 0;
  BalancerParams params;
  std::vector<Worker> members; // BalancerMember order
  bool operator==(const Balancer&) const = default;
};

} // namespace balancerd::directives
