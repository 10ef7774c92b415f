#pragma once
// How mod_proxy reads the request's environment (r->subprocess_env) for `interpolate`: a callback,
// so this library stays free of the server's tables. Apache's table lookup ignores case; the caller's
// callback should too.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace balancerd::proxypass {

// Returns the variable's value, or nothing when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Replaces every "${NAME}" in `text` with the variable's value (an unset variable becomes ""),
// scanning left to right; a "${" without a closing '}' stays as it is. (mod_proxy's
// proxy_interpolate.) A null lookup leaves `text` unchanged.
std::string interpolate(std::string_view text, const EnvLookup& env);

} // namespace balancerd::proxypass
