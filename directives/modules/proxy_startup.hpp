#pragma once
// The mod_proxy family's start-time errors: checks Apache makes in its post-config hooks, so
// `apache2 -t` passes but starting fails (each is followed by "AH00020: Configuration Failed, exiting").
// Seen on apache2 2.4.71:
//  * mod_proxy_balancer loaded without mod_slotmem_shm:
//    [proxy_balancer:emerg] AH01177: Failed to lookup provider 'shm' for 'slotmem': is mod_slotmem_shm
//    loaded??
//  * a balancer whose lbmethod module is not loaded (the default byrequests without
//    mod_lbmethod_byrequests): [proxy:crit] AH02432: Cannot find LB Method: byrequests, then
//    [proxy_balancer:emerg] (22)Invalid argument: AH01183: Cannot share balancer
#include "directives/model/config.hpp"

#include <string>
#include <vector>

namespace balancerd::directives::proxy {

struct StartupMessage {
  std::string module; // short name as Apache logs it: "proxy", "proxy_balancer"
  std::string level;  // "emerg", "crit"
  std::string text;
  bool operator==(const StartupMessage&) const = default;
};

// The messages of the first failing check (empty: the proxy family starts).
std::vector<StartupMessage> startup_errors(const Config& config);

} // namespace balancerd::directives::proxy
