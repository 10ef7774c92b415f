#pragma once
// What a health check sends: mod_proxy_hcheck's request shape, checked against apache2 2.4.71 with a
// listener that records the bytes. Only a request line and a Host header, no Connection header:
//   OPTIONS * HTTP/1.0\r\nHost: 127.0.0.1:8080\r\n\r\n           (OPTIONS; OPTIONS11 says HTTP/1.1)
//   GET /base//hc HTTP/1.0\r\nHost: 127.0.0.1:8080\r\n\r\n       (worker .../base, hcuri=/hc)
// The path is the worker URL's path, then "/" and hcuri when hcuri is set and the path is not
// empty; Apache does not collapse slashes ("/" + "/hc" gives "///hc") and sends an empty path as is
// ("HEAD  HTTP/1.1" for a worker without a path and no hcuri).
#include "directives/model/proxy_worker.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace balancerd::hcheck {

// OPTIONS/HEAD/GET and their *11 forms.
bool hc_is_http(directives::HcMethod m);
// The HTTP method sent ("GET" for Get11); "" for TCP/None.
std::string_view hc_http_method(directives::HcMethod m);
// HTTP/1.1 for the *11 forms.
bool hc_is_http11(directives::HcMethod m);
// A body is read (and hc('body') sees it) for GET and GET11 only.
bool hc_reads_body(directives::HcMethod m);

// The path part of a normalised worker URL ("http://h:1/base" -> "/base", "http://h:1" -> "").
std::string_view worker_url_path(std::string_view worker_name);
// The request target: "*" for OPTIONS, else the worker path with hcuri appended as Apache does.
std::string hc_request_target(directives::HcMethod m, std::string_view worker_path, std::string_view hcuri);
// "host:port" ("[::1]:port" for an IPv6 literal).
std::string hc_host_header(std::string_view hostname, std::uint16_t port);
// The complete request bytes.
std::string hc_request_text(directives::HcMethod m, std::string_view target, std::string_view host_header);

} // namespace balancerd::hcheck
