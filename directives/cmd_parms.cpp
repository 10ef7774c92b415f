// CmdParms::check_context: Apache's ap_check_cmd_context, with its texts.
#include "directives/cmd_parms.hpp"

#include "directives/ci_string.hpp"
#include "directives/dispatcher.hpp"

#include <initializer_list>

namespace balancerd::directives {

namespace {

bool is_dir_context_section(std::string_view name) {
  for (std::string_view s : {"<Directory", "<DirectoryMatch", "<Location", "<LocationMatch", "<Files",
                             "<FilesMatch", "<Proxy", "<ProxyMatch", "<If", "<ElseIf", "<Else"})
    if (ci_equal(name, s)) return true;
  return false;
}

} // namespace

std::optional<std::string> CmdParms::check_context(unsigned forbidden) const {
  // Built only for an error: this runs for most directives of a large config.
  auto name_of = [this] {
    std::string name(def.name);
    if (!name.empty() && name.front() == '<') name += '>';
    return name;
  };

  if ((forbidden & NOT_IN_VIRTUALHOST) && server.is_vhost)
    return name_of() + " cannot occur within <VirtualHost> section";
  if (forbidden & NOT_IN_LIMIT) {
    for (const parser::Node* p : parents)
      if (ci_equal(p->name, "<Limit") || ci_equal(p->name, "<LimitExcept"))
        return name_of() + " cannot occur within <Limit> or <LimitExcept> section";
  }
  if ((forbidden & NOT_IN_DIR_CONTEXT) == NOT_IN_DIR_CONTEXT) {
    for (const parser::Node* p : parents)
      if (is_dir_context_section(p->name)) return name_of() + " cannot occur within directory context";
    if (def.req_override & EXEC_ON_READ) return std::nullopt;
  }
  // The nearest enclosing section of each forbidden family, checked family by family as Apache does.
  auto find_parent = [this](std::initializer_list<std::string_view> names) -> const parser::Node* {
    for (auto it = parents.rbegin(); it != parents.rend(); ++it)
      for (std::string_view n : names)
        if (ci_equal((*it)->name, n)) return *it;
    return nullptr;
  };
  const parser::Node* found = nullptr;
  if ((forbidden & NOT_IN_DIRECTORY) && (found = find_parent({"<Directory", "<DirectoryMatch"}))) {
  } else if ((forbidden & NOT_IN_LOCATION) && (found = find_parent({"<Location", "<LocationMatch"}))) {
  } else if ((forbidden & NOT_IN_FILES) &&
             (found = find_parent({"<Files", "<FilesMatch", "<If", "<ElseIf", "<Else"}))) {
  } else if ((forbidden & NOT_IN_PROXY) && (found = find_parent({"<Proxy", "<ProxyMatch"}))) {
  }
  if (found) return name_of() + " cannot occur within " + dispatcher.canonical_name(*found) + "> section";
  return std::nullopt;
}

} // namespace balancerd::directives
