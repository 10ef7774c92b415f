#pragma once
// What a <VirtualHost> ends up with once Apache merges the main server's proxy config into it
// (mod_proxy.c's merge_proxy_config / merge_balancers), for the runtime to build from. Verified
// against apache2 2.4.71 on loopback:
//  * ProxyPass rules: the main server's come FIRST, then the vhost's own, and ProxyPassInherit Off
//    does not change that (in 2.4 it only gates ProxyRemote and, with BalancerInherit, the
//    workers/balancers);
//  * a balancer the vhost defines again keeps the main server's members; the vhost's parameters win
//    where it set them.
#include "directives/model/proxy_conf.hpp"

namespace balancerd::directives::proxy {

// `vhost` merged over `main`. Worker indices of the rules are rebased onto the merged worker list;
// a main-server rule whose worker is not inherited gets no index (Apache then uses its generic worker).
ProxyServerConf merge_server_conf(const ProxyServerConf& main, const ProxyServerConf& vhost);

} // namespace balancerd::directives::proxy
