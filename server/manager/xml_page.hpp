#pragma once
// balancer-manager's "?xml" view (Content-Type text/xml), byte for byte as Apache 2.4.71 writes it,
// including its quirks: no newline after <httpd:timeout>, <httpd:ping> without one either, the
// six-space indent of <httpd:disablereuse>, acquire/connectiontimeout/ping printed as apr_time_msec
// (the millisecond part of the value), flushwait in microseconds, and no newline at the very end.
#include <string>
#include <vector>

#include "server/manager/page_model.hpp"

namespace balancerd::manager {

void append_xml_page(std::string& out, const std::vector<BalancerRow>& balancers);

} // namespace balancerd::manager
