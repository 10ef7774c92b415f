#pragma once
// Config files to model: the read pass (parser::read_config with the real module set), Apache's
// between-pass checks (exactly one MPM), the walk pass, then the startup checks that `apache2 -t`
// prints (AH00558, the MPM's AH00511...). The single entry point the program and tests use.
#include "directives/config_error.hpp"
#include "directives/diagnostics.hpp"
#include "directives/directive_use.hpp"
#include "directives/model/config.hpp"
#include "parser/ast.hpp"
#include "parser/config_reader.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace balancerd::directives {

struct CompileResult {
  std::shared_ptr<const Config> config;
  std::vector<parser::IncludeRecord> includes;  // -D DUMP_INCLUDES
  std::map<std::string, std::string> variables; // Define NAME VALUE (for -D DUMP_RUN_CFG)
  std::vector<DirectiveUse> uses;               // dispatched directives not Implemented, in walk order
  std::string fqdn;                             // the main server name or the one guessed (AH00558)
};

// Throws ConfigError (what() = Apache's complete error text, see config_error.hpp). Warnings and
// log lines go to `diagnostics` as they happen.
CompileResult compile_config(const parser::ReadOptions& options, Diagnostics& diagnostics);

// Only the read pass (what `apache2 -V` does before printing): the modules it loaded, in order, and
// the read error's complete text if it failed (the modules loaded before the error are kept).
struct ReadPassResult {
  std::vector<LoadedModule> modules;
  std::optional<std::string> error; // "apache2: Syntax error on line ..." as printed
};
ReadPassResult read_pass_only(const parser::ReadOptions& options, Diagnostics& diagnostics);

// The name Apache falls back to without a global ServerName, and whether it had to guess
// (hostname without a dot: AH00558 names the address it resolves to, as Apache does).
struct LocalHostName {
  std::string name;
  bool guessed = false;
};
LocalHostName local_host_name();

} // namespace balancerd::directives
