#pragma once
// Number parsing exactly as mod_proxy does it, because the accepted/refused values are the contract:
// atoi/atol/atof (leading number, rest ignored, no error) and ap_timeout_parameter_parse (a number with
// an optional unit: ms, s, mi[n], h).
#include <chrono>
#include <optional>
#include <string_view>

namespace balancerd::directives::proxy {

// C's atoi on glibc: strtol truncated to int (so huge values wrap, as in Apache).
int c_atoi(std::string_view s);
// C's atol (64-bit long).
long c_atol(std::string_view s);
// C's atof.
double c_atof(std::string_view s);

// ap_timeout_parameter_parse: nullopt where Apache returns an error (bad unit, negative, overflow).
std::optional<std::chrono::microseconds> parse_timeout(std::string_view text, std::string_view default_unit);

} // namespace balancerd::directives::proxy
