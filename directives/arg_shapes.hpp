#pragma once
// Apache's generic argument splitting and counting per ArgShape (invoke_cmd), with its error
// templates: "NAME takes one argument, HELP", "NAME must be On or Off", ...
#include "directives/cmd_parms.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace balancerd::directives {

// Splits `args` per cmd.def.shape, checks the count and calls the handler (if any) the way the
// shape prescribes. Returns the first error text.
std::optional<std::string> invoke_with_shape(CmdParms& cmd, std::string_view args);

} // namespace balancerd::directives
