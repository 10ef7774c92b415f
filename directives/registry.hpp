#pragma once
// The directive registry: one entry per directive of every module Debian's apache2 ships, grouped in
// module tables. The dispatcher (dispatcher.hpp) uses an entry's context bits and argument shape to
// give Apache's generic errors before the entry's handler sees the arguments.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives {

struct CmdParms;

// Where a directive may appear: Apache's req_override bits, same values.
enum Override : unsigned {
  OR_NONE = 0,
  OR_LIMIT = 1,
  OR_OPTIONS = 2,
  OR_FILEINFO = 4,
  OR_AUTHCFG = 8,
  OR_INDEXES = 16,
  OR_UNSET = 32,
  ACCESS_CONF = 64,
  RSRC_CONF = 128,
  EXEC_ON_READ = 256,
  NONFATAL_OVERRIDE = 512,
  NONFATAL_UNKNOWN = 1024,
  NONFATAL_ALL = NONFATAL_OVERRIDE | NONFATAL_UNKNOWN,
  OR_ALL = OR_LIMIT | OR_OPTIONS | OR_FILEINFO | OR_AUTHCFG | OR_INDEXES,
};

// How the dispatcher splits and counts arguments before calling the handler (Apache's cmd_how).
enum class ArgShape {
  RawArgs,
  TakeArgv,
  Take1,
  Take2,
  Iterate,
  Iterate2,
  Flag,
  NoArgs,
  Take12,
  Take3,
  Take23,
  Take123,
  Take13
};

enum class Support {
  Implemented, // balancerd reproduces what it does
  NoEffect,    // accepted; harmless here (e.g. MPM process tuning)
  Unsupported, // accepted; changes behaviour balancerd does not reproduce (listed by DUMP_COMPAT)
};

// Returns Apache's error text, or nothing on success. Words are already split and counted per the
// entry's shape: Iterate calls once per word, Iterate2 once per word after the first (first word in
// args[0], the word in args[1]), Flag gets "On"/"Off" as typed, RawArgs gets the raw string in args[0].
using Handler = std::optional<std::string> (*)(CmdParms& cmd, std::span<const std::string> args);

struct DirectiveDef {
  std::string_view name; // canonical spelling ("ProxyPass", "<Location")
  unsigned req_override; // Override bits
  ArgShape shape;
  std::string_view help; // appended to generic count errors as ", HELP" (empty: no help)
  Support support = Support::Unsupported;
  Handler handler = nullptr; // nullptr: generic checks only, then recorded as accepted
};

struct ModuleDef {
  std::string_view id;     // "proxy_module" (LoadModule / <IfModule> identifier)
  std::string_view source; // "mod_proxy.c" (<IfModule> file name, -L)
  std::string_view so;     // "mod_proxy.so", empty for compiled-in modules
  bool builtin;            // compiled into Debian's apache2 binary (core, so, http, mpm-less statics...)
  std::span<const DirectiveDef> directives;
};

// Every module balancerd knows, in Apache's static order first, then the shared ones.
std::span<const ModuleDef> all_modules();
const ModuleDef* find_module_by_id(std::string_view id);
const ModuleDef* find_module_by_source(std::string_view source);
const ModuleDef* find_module_by_so(std::string_view so_file_name);

} // namespace balancerd::directives

namespace balancerd::directives {

// What one use of a directive reproduces, when that depends on its arguments (SetHandler
// server-status works, SetHandler cgi-script does not). Only -D DUMP_COMPAT asks, so a config test
// never pays for it. `reason` (short, may be empty) is printed after the level.
struct UseVerdict {
  Support support;
  std::string_view reason;
};
using UseCheck = UseVerdict (*)(std::span<const std::string> args);

// A module implementation binds handlers to the generated directive entries by name.
struct HandlerBinding {
  std::string_view name;
  // The worst case when `check` is set: the dispatcher records only uses that are not Implemented,
  // so an argument-dependent directive is bound below Implemented and its check clears the uses
  // that are.
  Support support;
  Handler handler;              // may be nullptr (e.g. NoEffect directives that only need the generic checks)
  UseCheck check = nullptr;     // per-use level (DUMP_COMPAT only); nullptr: `support` for every use
  std::string_view reason = {}; // why, when not Implemented and no check says otherwise
};

// Bindings per module source name ("mod_proxy.c"); each family lives in its own file under modules/.
std::span<const HandlerBinding> core_family_bindings(std::string_view module_source);  // modules/core_*.cpp
std::span<const HandlerBinding> proxy_family_bindings(std::string_view module_source); // modules/proxy_*.cpp
std::span<const HandlerBinding> http_family_bindings(std::string_view module_source);  // modules/http_*.cpp

} // namespace balancerd::directives
