#pragma once
// What a directive handler sees: the node, where it stands, and the parts of the model it may write.
#include "directives/model/config.hpp"
#include "directives/registry.hpp"
#include "parser/ast.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace balancerd::directives {

class Dispatcher;

struct CmdParms {
  const parser::Node& node;
  const DirectiveDef& def;
  unsigned override;                               // Override bits of the place where the directive stands
  Config& config;                                  // the whole model being built
  ServerConf& server;                              // main server or the current <VirtualHost>
  Section* section;                                // innermost per-dir section, nullptr at server/vhost level
  const std::vector<const parser::Node*>& parents; // enclosing section nodes, outermost first
  Dispatcher& dispatcher;                          // to walk a section's children in a new context

  // The per-dir config being written: the section's, or the server's own level.
  DirConf& dir() { return section ? section->conf : server.dir; }
  // Apache's ap_check_cmd_context: the error for a forbidden place, or nothing.
  std::optional<std::string> check_context(unsigned forbidden) const;
  // The innermost enclosing section node, or nullptr.
  const parser::Node* parent() const { return parents.empty() ? nullptr : parents.back(); }
};

// Bits for CmdParms::check_context (Apache's NOT_IN_* family).
enum Forbidden : unsigned {
  NOT_IN_VIRTUALHOST = 0x01,
  NOT_IN_LIMIT = 0x02,
  NOT_IN_DIRECTORY = 0x04,
  NOT_IN_LOCATION = 0x08,
  NOT_IN_FILES = 0x10,
  NOT_IN_HTACCESS = 0x20,
  NOT_IN_PROXY = 0x40,
  NOT_IN_DIR_LOC_FILE = NOT_IN_DIRECTORY | NOT_IN_LOCATION | NOT_IN_FILES,
  NOT_IN_DIR_CONTEXT = NOT_IN_LIMIT | NOT_IN_DIR_LOC_FILE | NOT_IN_PROXY,
  GLOBAL_ONLY = NOT_IN_VIRTUALHOST | NOT_IN_DIR_CONTEXT,
};

} // namespace balancerd::directives
