#pragma once
// Extension (not in Apache): balancer-manager "?prometheus" answers the Prometheus text exposition
// format 0.0.4 (Content-Type "text/plain; version=0.0.4; charset=utf-8"). Chosen as a query key,
// not by Accept negotiation, so a scraper's URL says what it gets and a browser never sees it by
// accident. One sample per member and metric, labelled balancer="balancer://NAME" and
// worker="URL" (label values escaped as the format requires: backslash, double quote, newline):
//
//   balancerd_balancer_members{balancer}            gauge   members in use
//   balancerd_balancer_max_members{balancer}        gauge   configured members + growth
//   balancerd_worker_usable{balancer,worker}        gauge   1 when the member can be chosen
//   balancerd_worker_status{balancer,worker,flag}   gauge   1 per status flag that is set
//                                                           (flag: Init, Ign, Drn, Dis, Stop, Err,
//                                                           Stby, Spar, HcFl...)
//   balancerd_worker_elected_total                  counter times chosen
//   balancerd_worker_busy                           gauge   requests in flight
//   balancerd_worker_lbstatus                       gauge   the lbmethod's "Load"
//   balancerd_worker_load_factor                    gauge   loadfactor (1.00 .. 100.00)
//   balancerd_worker_lbset                          gauge
//   balancerd_worker_sent_bytes_total               counter bytes sent to the backend ("To")
//   balancerd_worker_received_bytes_total           counter bytes read from it ("From")
//   balancerd_worker_retries_total                  counter times put back from error
#include <string>
#include <vector>

#include "server/manager/page_model.hpp"

namespace balancerd::manager {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

void append_prometheus(std::string& out, const std::vector<BalancerRow>& balancers);

// A label value with \\, \" and \n escaped.
void append_label_value(std::string& out, std::string_view value);

} // namespace balancerd::manager
