// LogLevel, ErrorLog, ErrorLogFormat.
#include "directives/dispatcher.hpp"
#include "directives/modules/core_handlers.hpp"

namespace balancerd::directives::core {

namespace {
const char* const bad_level =
    "Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8";
}

Result log_level(CmdParms& cmd, Args args) {
  if (args.empty()) return std::string("LogLevel requires at least one argument");
  LogLevelConf& conf = cmd.dir().core->log_level;
  for (const std::string& arg : args) {
    const auto colon = arg.rfind(':');
    if (colon == std::string::npos) {
      const int level = log_level_value(arg);
      if (level < 0) return std::string(bad_level);
      conf.level = level;
      conf.modules.clear(); // a bare level resets the per-module ones, as in Apache
      continue;
    }
    const std::string module = arg.substr(0, colon);
    if (module.empty()) return "Invalid module name in LogLevel: " + arg;
    const auto id = cmd.dispatcher.modules().loglevel_module(module);
    if (!id) return "Cannot find module " + module;
    const std::string level_name = arg.substr(colon + 1);
    const int level = log_level_value(level_name);
    if (level < 0) return arg + ": " + bad_level;
    conf.modules[*id] = level;
    const ModuleDef* def = find_module_by_id(*id);
    cmd.dispatcher.log("core", "trace3",
                       "core.c(3517): Setting LogLevel for module " + (def ? std::string(def->source) : *id) +
                           " to " + level_name);
  }
  return std::nullopt;
}

Result error_log(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  cmd.server.core.error_log = server_root_relative(cmd, args[0]);
  return std::nullopt;
}

Result error_log_format(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  cmd.server.core.error_log_format = args.empty() ? std::string() : args.back();
  return std::nullopt;
}

} // namespace balancerd::directives::core
