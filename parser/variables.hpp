#pragma once
// ${NAME} substitution on a whole logical line, as Apache's read pass does it.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace balancerd::parser {

// Replaces every ${NAME} in `line` by the Define'd value, else by getenv(NAME). An undefined name
// stays literal and `warn` is called with it, unless it contains ':'. Substituted text is not
// rescanned. Returns false (leaving `out` untouched) when the line has no "${".
bool substitute_variables(std::string_view line, const std::map<std::string, std::string, std::less<>>& vars,
                          const std::function<void(std::string_view name)>& warn, std::string& out);

} // namespace balancerd::parser
