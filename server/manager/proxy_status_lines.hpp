#pragma once
// The balancer lines mod_proxy adds to mod_status's page when ProxyStatus is On (or Full): one
// "Proxy LoadBalancer Status" section per balancer and a legend in the HTML page, and
// "ProxyBalancer[i]..." keys in the ?auto text. Byte for byte as Apache 2.4.71 prints them (note that
// route and redirect are not HTML-escaped there, unlike balancer-manager).
//
// Also the balancer-manager "?auto" extension (not in Apache, whose manager answers ?auto with its
// HTML page): the same ProxyBalancer[i] keys with a Load line (lbstatus) after Busy.
#include <string>
#include <vector>

#include "server/manager/page_model.hpp"

namespace balancerd::manager {

// Nothing is appended when there are no balancers (as mod_proxy's status hook returns early).
void append_proxy_status_html(std::string& out, const std::vector<BalancerRow>& balancers);
void append_proxy_status_auto(std::string& out, const std::vector<BalancerRow>& balancers);

// balancer-manager ?auto (extension).
void append_manager_auto(std::string& out, const std::vector<BalancerRow>& balancers);

} // namespace balancerd::manager
