// CmdParms::check_context: Apache's ap_check_cmd_context, with its texts.
#include "directives/cmd_parms.hpp"

#include "directives/ci_string.hpp"
#include "directives/dispatcher.hpp"

namespace balancerd::directives {

namespace {

// The section families ap_check_cmd_context looks for, from a section node's name: one switch on
// the letter after '<', then a comparison or two (the names of a parent chain are looked at for
// most directives of a config).
constexpr unsigned kLimit = 1;     // <Limit>, <LimitExcept>
constexpr unsigned kDirectory = 2; // <Directory>, <DirectoryMatch>
constexpr unsigned kLocation = 4;  // <Location>, <LocationMatch>
constexpr unsigned kFiles = 8;     // <Files>, <FilesMatch>, and <If>/<ElseIf>/<Else> (Apache groups them so)
constexpr unsigned kProxy = 16;    // <Proxy>, <ProxyMatch>
constexpr unsigned kDirContext = kDirectory | kLocation | kFiles | kProxy;

unsigned family(std::string_view name) {
  if (name.size() < 3 || name[0] != '<') return 0;
  const auto either = [name](std::string_view a, std::string_view b) {
    return ci_equal(name, a) || ci_equal(name, b);
  };
  switch (ascii_lower(name[1])) {
  case 'd':
    return either("<Directory", "<DirectoryMatch") ? kDirectory : 0;
  case 'l':
    if (either("<Location", "<LocationMatch")) return kLocation;
    return either("<Limit", "<LimitExcept") ? kLimit : 0;
  case 'f':
    return either("<Files", "<FilesMatch") ? kFiles : 0;
  case 'i':
    return ci_equal(name, "<If") ? kFiles : 0;
  case 'e':
    return either("<ElseIf", "<Else") ? kFiles : 0;
  case 'p':
    return either("<Proxy", "<ProxyMatch") ? kProxy : 0;
  default:
    return 0;
  }
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
      if (family(p->name) & kLimit)
        return name_of() + " cannot occur within <Limit> or <LimitExcept> section";
  }
  if ((forbidden & NOT_IN_DIR_CONTEXT) == NOT_IN_DIR_CONTEXT) {
    for (const parser::Node* p : parents)
      if (family(p->name) & kDirContext) return name_of() + " cannot occur within directory context";
    if (def.req_override & EXEC_ON_READ) return std::nullopt;
  }
  // The nearest enclosing section of each forbidden family, checked family by family as Apache does.
  auto find_parent = [this](unsigned wanted) -> const parser::Node* {
    for (auto it = parents.rbegin(); it != parents.rend(); ++it)
      if (family((*it)->name) & wanted) return *it;
    return nullptr;
  };
  const parser::Node* found = nullptr;
  if ((forbidden & NOT_IN_DIRECTORY) && (found = find_parent(kDirectory))) {
  } else if ((forbidden & NOT_IN_LOCATION) && (found = find_parent(kLocation))) {
  } else if ((forbidden & NOT_IN_FILES) && (found = find_parent(kFiles))) {
  } else if ((forbidden & NOT_IN_PROXY) && (found = find_parent(kProxy))) {
  }
  if (found) return name_of() + " cannot occur within " + dispatcher.canonical_name(*found) + "> section";
  return std::nullopt;
}

} // namespace balancerd::directives
