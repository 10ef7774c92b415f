#pragma once
// The head of a backend's interim (1xx) response as mod_proxy_http relays it to the client
// (ap_send_interim_response): the backend's status line, its end-to-end fields (hop-by-hop ones and
// those its Connection header names are dropped), no Date or Server of the front end's, and the
// proxy's own Via under ProxyVia On/Full (a field of its own after the backend's, as on the final
// response: apache2 relays interim responses from the same header table).
#include <string>
#include <string_view>

#include "server/backend/response_parser.hpp"

namespace balancerd::proxy {

// Replaces `out` with "HTTP/1.1 <code> <reason>\r\n<fields>\r\n". `scratch` is a reusable buffer;
// `via`: the proxy's Via value, empty for none.
void build_interim_head(std::string& out, const backend::BackendResponseHead& head, std::string& scratch,
                        std::string_view via = {});

} // namespace balancerd::proxy
