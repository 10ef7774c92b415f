#pragma once
// The -t -D DUMP_* outputs, -M, -v and -V, in Apache's layout.
#include "directives/compile.hpp"

#include <ostream>
#include <string>

namespace balancerd::cli {

// "VirtualHost configuration:" and one block per address chain, ordered as Apache orders them.
void dump_vhosts(std::ostream& out, const directives::CompileResult& result);
// ServerRoot, Main DocumentRoot, Main ErrorLog, Mutex, PidFile, Define, User, Group.
void dump_run_cfg(std::ostream& out, const directives::CompileResult& result);
// "Loaded Modules:" with (static)/(shared).
void dump_modules(std::ostream& out, const directives::Config& config);
// "Included configuration files:" with (*) and (line) markers.
void dump_includes(std::ostream& out, const directives::CompileResult& result);
// Beyond Apache: every directive in use whose support level is not Implemented.
void dump_compat(std::ostream& out, const directives::CompileResult& result);

// -v and -V.
std::string version_text();
// apache2 -V: `mpm` is the loaded MPM's name ("event"), empty when the read pass loaded none.
std::string version_details_text(const std::string& mpm);
// apache2 -L: every directive of every loaded module, with its help and where it is allowed.
void list_directives(std::ostream& out, const directives::Config& config);
// The "Allowed in ..." text of -L for a directive's override bits (one or two lines, no final newline).
// `no_dir_config`: the module keeps no per-directory settings (Apache then says so).
std::string allowed_in_text(unsigned req_override, bool no_dir_config = false);

} // namespace balancerd::cli
