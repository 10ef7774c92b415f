#pragma once
// ProxyPassMatch patterns compiled once per pattern text. The configuration model keeps a rule's
// regex as text; compiling it again for every request would cost far more than the match, so the
// first request that needs a pattern compiles it and later ones share the result.
#include <string>

#include "directives/model/regex.hpp"

namespace balancerd::proxypass {

// The compiled pattern (case-sensitive, as ap_pregcomp with AP_REG_EXTENDED), or null when PCRE2
// rejects it (the config pass has already refused such a pattern). Thread-safe; the pointer stays
// valid for the life of the process.
const directives::Regex* cached_regex(const std::string& pattern);

} // namespace balancerd::proxypass
