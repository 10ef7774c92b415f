#pragma once
// What every mod_proxy family handler needs from its CmdParms: Apache's cmd->path (the enclosing
// section's path), the server's proxy slot, and which proxy modules are loaded.
#include "directives/cmd_parms.hpp"
#include "directives/modules/proxy_params.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace balancerd::directives::proxy {

// Apache's cmd->path: nullopt at server/vhost level; inside a section its path as the section handler
// set it ("<Directory /x>" -> "/x/", "<Proxy proxy:balancer://b>" -> "balancer://b", "<If>" -> "*If").
std::optional<std::string> cmd_path(const CmdParms& cmd);

// cmd_path as a view: into the section node's own text when the path needs no unescaping (a
// <Proxy> path, for every BalancerMember inside it), else into `storage`.
std::optional<std::string_view> cmd_path_view(const CmdParms& cmd, std::string& storage);
// The path a section node sets, as above (the node's name says which section it is).
std::optional<std::string> section_path(const parser::Node& section);

// Whether a module (by source name, "mod_proxy_hcheck.c") was loaded.
bool module_loaded(const CmdParms& cmd, std::string_view source);

// The parameter-check context for this server (hcheck presence, loaded lbmethods, templates, exprs).
ParamContext param_context(CmdParms& cmd);

} // namespace balancerd::directives::proxy
