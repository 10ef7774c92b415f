#pragma once
// The walk pass: every node of the read tree goes to the directive of a loaded module that has its
// name, after Apache's generic checks (unknown name, context, argument count). Section handlers call
// walk() again for their children with a new context, as Apache's containers do.
#include "directives/cmd_parms.hpp"
#include "directives/diagnostics.hpp"
#include "directives/directive_use.hpp"
#include "directives/module_set.hpp"
#include "parser/ast.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives {

class Dispatcher {
public:
  // Override bits at server level and inside <VirtualHost> (Apache: RSRC_CONF|OR_ALL without
  // OR_AUTHCFG/OR_LIMIT), and inside <Directory>, <Location>, <Files>, <Proxy>, <If>...
  static constexpr unsigned server_override = (RSRC_CONF | OR_ALL) & ~(OR_AUTHCFG | OR_LIMIT);
  static constexpr unsigned section_override = OR_ALL | ACCESS_CONF;

  Dispatcher(Config& config, const ModuleSet& modules, Diagnostics& diagnostics)
      : config_(config), modules_(modules), diagnostics_(diagnostics) {}

  // Walks `nodes` in order; the first error's text (error_node() says where), or nothing.
  std::optional<std::string> walk(const std::vector<parser::Node>& nodes, ServerConf& server,
                                  Section* section, unsigned override,
                                  const std::vector<const parser::Node*>& parents);
  // walk() for the top level of the read tree, releasing each node's subtree once it is compiled
  // (handlers keep no reference into the tree), so the tree and the model are not both whole at once.
  // The node of an error is kept.
  std::optional<std::string> walk_releasing(std::vector<parser::Node>& nodes, ServerConf& server,
                                            unsigned override);
  // For a section handler: walks cmd.node's children with cmd.node appended to the parents.
  std::optional<std::string> walk_children(const CmdParms& cmd, ServerConf& server, Section* section,
                                           unsigned override);
  // One node: lookup, generic checks, handler.
  std::optional<std::string> dispatch(const parser::Node& node, ServerConf& server, Section* section,
                                      unsigned override, const std::vector<const parser::Node*>& parents);

  // The node of the first error (innermost), or nullptr.
  const parser::Node* error_node() const { return error_node_; }
  // A node's name as its module spells it ("<Location" for "<location"), or as typed if unknown.
  std::string canonical_name(const parser::Node& node) const;

  Config& config() { return config_; }
  const ModuleSet& modules() const { return modules_; }
  Diagnostics& diagnostics() { return diagnostics_; }

  // A config-time log line, written only if the main server's LogLevel lets it through (a module's
  // own level from "LogLevel mod:level" first, then the global one; default warn). `module` is the
  // short name ("proxy").
  bool log_enabled(std::string_view module, std::string_view level) const;
  void log(std::string_view module, std::string_view level, std::string_view text);

  // Every directive dispatched so far that balancerd does not fully reproduce (support other than
  // Implemented), for -D DUMP_COMPAT.
  const std::vector<DirectiveUse>& uses() const { return uses_; }

  // <RequireAll> sections opened so far (mod_authz_core's check after the walk needs one to fail).
  void count_require_all() { ++require_all_sections_; }
  std::size_t require_all_sections() const { return require_all_sections_; }
  std::vector<DirectiveUse> take_uses() { return std::move(uses_); }

private:
  std::vector<DirectiveUse> uses_;
  // The enclosing sections of the node being dispatched, outermost first: one vector pushed and
  // popped as the walk goes down and up (a copy per section was one allocation each).
  std::vector<const parser::Node*> parents_;
  Config& config_;
  const ModuleSet& modules_;
  Diagnostics& diagnostics_;
  const parser::Node* error_node_ = nullptr;
  std::size_t require_all_sections_ = 0;
};

} // namespace balancerd::directives
