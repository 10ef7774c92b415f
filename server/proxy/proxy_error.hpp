#pragma once
// mod_proxy's error answers: ap_proxyerror's page (status line reason "Proxy Error", the reason in
// the error notes) and the matching AH00898 log text.
#include <string>
#include <string_view>

#include "server/http/error_page.hpp"
#include "server/net/exchange.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::proxy {

// Fills `note` with "The proxy server could not handle the request<p>Reason: <strong>REASON</strong></p>"
// (REASON HTML-escaped) and returns the page info for ex.send_error(status, info).
http::ErrorPageInfo proxy_error_page(std::string& note, std::string_view reason);

// Answers with an error the way Apache's ap_die does: the request's ErrorDocument when one is set for
// `status` (through the pipeline's state.send_error_page), else Apache's page with `info`.
void send_error_page(net::Exchange& ex, pipeline::RequestState& state, int status,
                     const http::ErrorPageInfo& info = {});

inline constexpr std::string_view kErrorReading = "Error reading from remote server";

} // namespace balancerd::proxy
