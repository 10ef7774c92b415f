// Server names and the document root: ServerName, ServerAlias, ServerAdmin, DocumentRoot,
// UseCanonicalName, HostnameLookups.
#include "directives/ci_string.hpp"
#include "directives/dispatcher.hpp"
#include "directives/modules/core_handlers.hpp"
#include "parser/words.hpp"

#include <sys/stat.h>

namespace balancerd::directives::core {

namespace {
bool is_fnmatch_pattern(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}
} // namespace

Result server_name(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  const std::string& arg = args[0];
  if (is_fnmatch_pattern(arg))
    return "Invalid ServerName \"" + arg + "\" use ServerAlias to set multiple server names.";
  CoreServerConf& core = cmd.server.core;
  std::string_view part = arg;
  if (const auto scheme = part.find("://"); scheme != std::string_view::npos) {
    core.server_scheme = std::string(part.substr(0, scheme));
    part.remove_prefix(scheme + 3);
  }
  if (const auto colon = part.find(':'); colon != std::string_view::npos) {
    const int port = apache_atoi(std::string(part.substr(colon + 1)));
    if (port <= 0 || port >= 65536)
      return "The port number \"" + arg + "\" is outside the appropriate range (i.e., 1..65535).";
    core.server_port = static_cast<std::uint16_t>(port);
    part = part.substr(0, colon);
  }
  core.server_name = std::string(part);
  return std::nullopt;
}

Result server_alias(CmdParms& cmd, Args args) {
  if (!cmd.server.is_vhost) return std::string("ServerAlias only used in <VirtualHost>");
  std::string_view rest = args[0];
  while (!rest.empty()) cmd.server.core.aliases.push_back(parser::next_word(rest));
  return std::nullopt;
}

Result server_admin(CmdParms& cmd, Args args) {
  cmd.server.core.server_admin = args[0];
  return std::nullopt;
}

Result document_root(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_DIR_CONTEXT)) return err;
  std::string path = server_root_relative(cmd, args[0]);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    if (!cmd.server.is_vhost) return "DocumentRoot '" + path + "' is not a directory, or is not readable";
    cmd.dispatcher.diagnostics().plain("AH00112: Warning: DocumentRoot [" + path + "] does not exist");
  }
  // Apache drops one trailing slash (except for "/").
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  cmd.server.core.document_root = path;
  return std::nullopt;
}

Result use_canonical_name(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_LIMIT)) return err;
  const std::string v = ascii_lower(args[0]);
  if (v != "on" && v != "off" && v != "dns") return std::string("parameter must be 'on', 'off', or 'dns'");
  cmd.dir().core->use_canonical_name = v;
  return std::nullopt;
}

Result hostname_lookups(CmdParms& cmd, Args args) {
  if (auto err = cmd.check_context(NOT_IN_LIMIT)) return err;
  const std::string v = ascii_lower(args[0]);
  if (v != "on" && v != "off" && v != "double")
    return std::string("parameter must be 'on', 'off', or 'double'");
  cmd.dir().core->hostname_lookups = v;
  return std::nullopt;
}

} // namespace balancerd::directives::core
