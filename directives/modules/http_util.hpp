#pragma once
// Small helpers shared by the http_* module handlers (mod_headers, mod_authz_*, mod_ssl, ...).
#include "directives/ci_string.hpp"
#include "directives/cmd_parms.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives::http {

using Result = std::optional<std::string>;

// All words of a RawArgs argument string (ap_getword_conf rules).
std::vector<std::string> words_of(std::string_view raw);

// Apache's ap_server_root_relative: absolute paths as they are, others under ServerRoot.
std::string server_root_relative(const CmdParms& cmd, std::string_view path);

// Inside <Directory>/<Location>/<Files>/<Proxy>/<If>... (Apache's cmd->path != NULL).
bool in_dir_section(const CmdParms& cmd);

// The node's file, shared with the parse tree (see model/source_file.hpp).
SourceFile file_of(const CmdParms& cmd);

// atoi(): leading blanks, sign, digits; anything else stops (Apache's loose numbers).
int loose_atoi(std::string_view s);

} // namespace balancerd::directives::http
