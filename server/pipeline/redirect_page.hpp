#pragma once
// A redirect response as Apache sends it: Location plus the short HTML page naming the target.
#include <string>
#include <string_view>

#include "server/net/exchange.hpp"

namespace balancerd::pipeline {

// Appends Apache's body for a 3xx with Location `url`.
void append_redirect_body(std::string& out, int status, std::string_view url);
void send_redirect(net::Exchange& ex, int status, std::string_view url);
// An ErrorDocument that is a full URL, answering `status`: a 302 to it, after which the connection
// closes if `status` is one after which Apache drops it (the 302 itself would not).
void send_error_document_url(net::Exchange& ex, int status, std::string_view url);

} // namespace balancerd::pipeline
