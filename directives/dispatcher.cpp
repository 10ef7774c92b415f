#include "directives/dispatcher.hpp"

#include "directives/arg_shapes.hpp"

namespace balancerd::directives {

std::optional<std::string> Dispatcher::walk(const std::vector<parser::Node>& nodes, ServerConf& server,
                                            Section* section, unsigned override,
                                            const std::vector<const parser::Node*>& parents) {
  for (const parser::Node& node : nodes) {
    if (auto err = dispatch(node, server, section, override, parents)) {
      // Keep the innermost node: an error inside a container is reported where it is, not on the
      // container's first line.
      if (!error_node_) error_node_ = &node;
      return err;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Dispatcher::walk_releasing(std::vector<parser::Node>& nodes, ServerConf& server,
                                                      unsigned override) {
  parents_.clear();
  for (parser::Node& node : nodes) {
    if (auto err = dispatch(node, server, nullptr, override, parents_)) {
      if (!error_node_) error_node_ = &node;
      return err;
    }
    std::vector<parser::Node>().swap(node.children);
    std::string().swap(node.args);
  }
  return std::nullopt;
}

std::optional<std::string> Dispatcher::walk_children(const CmdParms& cmd, ServerConf& server,
                                                     Section* section, unsigned override) {
  if (&cmd.parents != &parents_) {
    // A walk started outside walk_releasing (tests): its own list.
    std::vector<const parser::Node*> parents = cmd.parents;
    parents.push_back(&cmd.node);
    return walk(cmd.node.children, server, section, override, parents);
  }
  // cmd.parents is parents_: it grows by this node for the children and shrinks back after, so an
  // enclosing handler sees its own list again when the walk returns.
  struct Pop {
    std::vector<const parser::Node*>& v;
    ~Pop() { v.pop_back(); }
  };
  parents_.push_back(&cmd.node);
  Pop pop{parents_};
  return walk(cmd.node.children, server, section, override, parents_);
}

std::string Dispatcher::canonical_name(const parser::Node& node) const {
  const FoundDirective found = modules_.find(node.name);
  return found.def ? std::string(found.def->name) : node.name;
}

std::optional<std::string> Dispatcher::dispatch(const parser::Node& node, ServerConf& server,
                                                Section* section, unsigned override,
                                                const std::vector<const parser::Node*>& parents) {
  const FoundDirective found = modules_.find(node.name);
  if (!found.def) {
    return "Invalid command '" + node.name +
           "', perhaps misspelled or defined by a module not included in the server configuration";
  }
  const DirectiveDef& def = *found.def;
  // Already run by the read pass (Include, Define, LoadModule, <IfModule>...).
  if (def.req_override & EXEC_ON_READ) return std::nullopt;
  if ((def.req_override & override) == 0) {
    if (!parents.empty())
      return std::string(def.name) + " not allowed in " + canonical_name(*parents.back()) + "> context";
    return std::string(def.name) + " not allowed here";
  }
  // Only what -D DUMP_COMPAT lists: a large config uses mostly implemented directives, and a record
  // of each was a tenth of a config test's memory.
  if (def.support != Support::Implemented)
    uses_.push_back(DirectiveUse{std::string(def.name), std::string(found.module->id),
                                 node.file ? *node.file : std::string(), node.line, def.support});
  CmdParms cmd{node, def, override, config_, server, section, parents, *this};
  return invoke_with_shape(cmd, node.args);
}

bool Dispatcher::log_enabled(std::string_view module, std::string_view level) const {
  const int wanted = log_level_value(level);
  const LogLevelConf& conf = config_.main.dir.core->log_level;
  int limit = conf.level.value_or(log_level_value("warn"));
  constexpr std::string_view suffix = "_module";
  for (const auto& [id, value] : conf.modules) {
    // id == module, or id is module + "_module" (module_short_name without building a string:
    // this runs for every BalancerMember of a large config).
    const std::string_view i = id;
    if (i == module || (!module.empty() && i.size() == module.size() + suffix.size() &&
                        i.substr(0, module.size()) == module && i.substr(module.size()) == suffix))
      limit = value;
  }
  return wanted >= 0 && wanted <= limit;
}

void Dispatcher::log(std::string_view module, std::string_view level, std::string_view text) {
  if (log_enabled(module, level)) diagnostics_.log(module, level, text);
}

} // namespace balancerd::directives
