#pragma once
// A redirect response as Apache sends it: Location plus the short HTML page naming the target.
#include <string>
#include <string_view>

#include "server/net/exchange.hpp"

namespace balancerd::pipeline {

// Appends Apache's body for a 3xx with Location `url`.
void append_redirect_body(std::string& out, int status, std::string_view url);
void send_redirect(net::Exchange& ex, int status, std::string_view url);

} // namespace balancerd::pipeline
