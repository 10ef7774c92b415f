#pragma once
// Extension (not in Apache): JSON updates. A POST to balancer-manager with Content-Type
// application/json carries one flat object whose keys are the form's ("b", "w", "nonce", "w_lf",
// "w_status_D", "b_lbm", ...). They go through the same Referer and nonce checks and the same
// validation as the form; the answer is the JSON view. Values: a string is taken as is (no
// %-decoding: JSON is not URL-encoded), a number as its literal text, true/false as "1"/"0", null
// drops the key. Anything else (nested values, trailing text, bad escapes) is a malformed body.
#include <optional>
#include <string>
#include <string_view>

#include "server/manager/form_params.hpp"

namespace balancerd::manager {

// At most this many body bytes are read for a JSON update.
inline constexpr std::size_t kMaxJsonBody = 8192;

// Parses `body` into `out`; returns an error text on malformed input (out is then unspecified).
std::optional<std::string> parse_json_params(std::string_view body, Params& out);

// Whether a Content-Type names JSON ("application/json", parameters and case ignored).
bool is_json_content_type(std::string_view content_type);

} // namespace balancerd::manager
