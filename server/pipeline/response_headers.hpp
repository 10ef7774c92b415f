#pragma once
// mod_headers' output filter on a response head about to be sent. Apache keeps two tables:
// headers_out (what the handler set; `Header` rules) and err_headers_out (`Header always` rules),
// and sends err_headers_out first. A response Apache generates itself (an error page, a redirect
// page) drops the handler's headers_out before the filter runs, so only `always` rules apply and
// they see an empty table (the page's own Location/Allow stay as they are).
#include "server/http/response.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::pipeline {

void apply_response_rules(RequestState& state, http::ResponseHead& head, bool error_page);

} // namespace balancerd::pipeline
