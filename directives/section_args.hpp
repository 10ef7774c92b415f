#pragma once
// What every container handler does first (Apache's section handlers): the argument text is what
// precedes the LAST '>' of the line; none is "<Name> directive missing closing '>'", an empty one
// "<Name> directive requires additional arguments". Also the helper that opens a per-dir section.
#include "directives/cmd_parms.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace balancerd::directives {

// "<Location> directive missing closing '>'"
std::string missing_closing_gt(const CmdParms& cmd);
// "<Location> directive requires additional arguments"
std::string requires_additional_arguments(const CmdParms& cmd);

// Puts the text before the last '>' of cmd.node.args into `out`. With `required`, an empty text is
// an error. Returns the error text.
std::optional<std::string> section_arg_text(const CmdParms& cmd, std::string& out, bool required = true);

// Appends a new per-dir section where cmd stands (nested in cmd.section, else in cmd.server) and
// returns it. The reference stays valid while the section's own children are walked.
Section& open_section(CmdParms& cmd, SectionKind kind, std::string pattern, bool regex);

// Compiles `pattern` with PCRE2 as Apache's ap_pregcomp would (no flags); false if it is invalid.
bool regex_compiles(const std::string& pattern, bool caseless = false);

} // namespace balancerd::directives
