#pragma once
// Slot for mod_proxy and its family (proxy_http, proxy_balancer, lbmethod_*, proxy_hcheck, ...).
#include <string>
#include <vector>

namespace balancerd::directives {

struct ProxyServerConf {};
struct ProxyDirConf {};

}  // namespace balancerd::directives
