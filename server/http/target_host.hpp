#pragma once
// The Host a request names in its target. When the request-target carries the authority
// (absolute-form "http://host:port/path", or CONNECT's authority-form "host:port"), Apache replaces
// the Host header the client sent by that authority (RFC 9112 §3.2.2: the target's host wins), so
// everything that reads Host later (mod_proxy's X-Forwarded-Host, %{Host}i, HTTP_HOST, RequestHeader)
// sees the target's host. A request without a Host header keeps having none.
#include <string>

#include "server/http/request.hpp"

namespace balancerd::http {

// True when the request's Host header is to be replaced; `out` then holds the new value: the
// target's host as Apache normalises it (lower case, trailing dots gone, IPv6 brackets kept),
// followed by ":port" when the target names a port.
bool target_host_value(const Request& req, std::string& out);

} // namespace balancerd::http
