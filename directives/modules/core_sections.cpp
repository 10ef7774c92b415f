// Containers of core.c: <VirtualHost>, <Directory>, <Files>, <Location> (and their Match forms),
// <If>/<ElseIf>/<Else>, <Limit>/<LimitExcept>. Each checks where it stands and its argument as
// Apache's section handlers do, opens a section in the model and walks its children there.
#include "directives/ci_string.hpp"
#include "directives/dispatcher.hpp"
#include "directives/expr/expr.hpp"
#include "directives/modules/core_handlers.hpp"
#include "directives/modules/core_vhost_address.hpp"
#include "directives/section_args.hpp"
#include "parser/words.hpp"

#include <set>

namespace balancerd::directives::core {

namespace {

// Walks the children of a per-dir section with the per-dir override bits.
Result walk_section(CmdParms& cmd, Section& section) {
  return cmd.dispatcher.walk_children(cmd, cmd.server, &section, Dispatcher::section_override);
}

// <Directory>, <Location> and <Files>: one path or "~ regex"; *Match: one regex.
Result path_section(CmdParms& cmd, SectionKind plain, SectionKind match, bool is_match, unsigned forbidden) {
  if (auto err = cmd.check_context(forbidden)) return err;
  std::string text;
  if (auto err = section_arg_text(cmd, text)) return err;
  std::string_view rest = text;
  std::string path = parser::next_word(rest);
  bool regex = is_match;
  if (!is_match && path == "~") {
    path = parser::next_word(rest);
    regex = true;
  }
  if (regex && !regex_compiles(path)) return std::string("Regex could not be compiled");
  Section& section = open_section(cmd, regex ? match : plain, path, regex);
  return walk_section(cmd, section);
}

// The last <If>/<ElseIf>/<Else> opened in the current scope, or nullptr.
const Section* last_condition(const CmdParms& cmd) {
  const std::vector<Section>& list = cmd.section ? cmd.section->nested : cmd.server.sections;
  for (auto it = list.rbegin(); it != list.rend(); ++it)
    if (it->kind == SectionKind::If || it->kind == SectionKind::ElseIf || it->kind == SectionKind::Else)
      return &*it;
  return nullptr;
}

Result condition_section(CmdParms& cmd, SectionKind kind) {
  if (auto err = cmd.check_context(NOT_IN_LIMIT)) return err;
  std::string text;
  if (auto err = section_arg_text(cmd, text, kind != SectionKind::Else)) return err;
  if (kind != SectionKind::If) {
    const Section* prev = last_condition(cmd);
    if (!prev || prev->kind == SectionKind::Else)
      return std::string(
          "<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope");
  }
  std::string condition;
  if (kind == SectionKind::Else) {
    if (!text.empty()) return std::string("<Else> does not take an argument");
  } else {
    std::string_view rest = text;
    condition = parser::next_word(rest);
    const expr::ParseResult parsed = expr::parse(condition);
    if (!parsed.ok()) return "Cannot parse condition clause: " + parsed.error;
  }
  Section& section = open_section(cmd, kind, condition, false);
  return walk_section(cmd, section);
}

// The methods a <Limit> (exactly these) or <LimitExcept> (all but these) section lets through.
struct MethodSet {
  bool except = true; // the default: all methods
  std::set<std::string> methods;
  bool empty() const { return !except && methods.empty(); }
  bool operator==(const MethodSet&) const = default;
};

MethodSet intersect(const MethodSet& a, const MethodSet& b) {
  MethodSet out;
  out.except = a.except && b.except;
  if (!a.except && !b.except) {
    for (const std::string& m : a.methods)
      if (b.methods.count(m)) out.methods.insert(m);
  } else if (!a.except || !b.except) {
    const MethodSet& only = a.except ? b : a;
    const MethodSet& but = a.except ? a : b;
    for (const std::string& m : only.methods)
      if (!but.methods.count(m)) out.methods.insert(m);
  } else {
    out.methods = a.methods;
    out.methods.insert(b.methods.begin(), b.methods.end());
  }
  return out;
}

MethodSet method_set(const parser::Node& node, bool except) {
  const std::string& args = node.args;
  const auto gt = args.rfind('>');
  const std::vector<std::string> words =
      parser::split_words(gt == std::string::npos ? args : args.substr(0, gt));
  return MethodSet{except, {words.begin(), words.end()}};
}

Result limit_section(CmdParms& cmd, SectionKind kind) {
  std::string text;
  if (auto err = section_arg_text(cmd, text)) return err;
  std::vector<std::string> methods = parser::split_words(text);
  if (methods.empty()) return requires_additional_arguments(cmd);
  const bool except = kind == SectionKind::LimitExcept;
  if (!except)
    for (const std::string& m : methods)
      if (m == "TRACE") return std::string("TRACE cannot be controlled by <Limit>, see TraceEnable");
  // What the enclosing <Limit>/<LimitExcept> sections already let through (Apache's cmd->limited).
  MethodSet old;
  for (const parser::Node* p : cmd.parents) {
    if (ci_equal(p->name, "<Limit"))
      old = intersect(old, method_set(*p, false));
    else if (ci_equal(p->name, "<LimitExcept"))
      old = intersect(old, method_set(*p, true));
  }
  const MethodSet mine{except, {methods.begin(), methods.end()}};
  const MethodSet both = intersect(old, mine);
  const std::string name = std::string(cmd.def.name) + ">";
  if (both.empty()) return name + " directive excludes all methods";
  if (both == old) return name + " directive specifies methods already excluded";
  Section& section = open_section(cmd, kind, "", false);
  section.methods = std::move(methods);
  // <Limit> keeps the enclosing override bits (Apache only narrows the methods).
  return cmd.dispatcher.walk_children(cmd, cmd.server, &section, cmd.override);
}

} // namespace

Result virtual_host(CmdParms& cmd, Args) {
  if (auto err = cmd.check_context(GLOBAL_ONLY)) return err;
  std::string text;
  if (auto err = section_arg_text(cmd, text)) return err;
  Config& config = cmd.config;
  // Built in place (a ServerConf is several KiB; thousands of vhosts), dropped again on an error.
  ServerConf& server = config.vhosts.emplace_back();
  server.is_vhost = true;
  server.file = cmd.node.file;
  server.line = cmd.node.line;
  for (const std::string& word : parser::split_words(text)) {
    VhostAddressResult parsed = parse_vhost_address(word, cmd.dispatcher.diagnostics());
    if (parsed.error) {
      config.vhosts.pop_back();
      return parsed.error;
    }
    if (parsed.address) server.core.addresses.push_back(std::move(*parsed.address));
  }
  // Room for the per-dir sections at once: growing the vector moved each one several times and
  // left spare capacity, in every one of thousands of vhosts.
  std::size_t sections = 0;
  for (const parser::Node& child : cmd.node.children) sections += child.is_section ? 1 : 0;
  server.sections.reserve(sections);
  return cmd.dispatcher.walk_children(cmd, server, nullptr, cmd.override);
}

Result directory(CmdParms& cmd, Args) {
  return path_section(cmd, SectionKind::Directory, SectionKind::DirectoryMatch, false, NOT_IN_DIR_CONTEXT);
}
Result directory_match(CmdParms& cmd, Args) {
  return path_section(cmd, SectionKind::Directory, SectionKind::DirectoryMatch, true, NOT_IN_DIR_CONTEXT);
}
Result location(CmdParms& cmd, Args) {
  return path_section(cmd, SectionKind::Location, SectionKind::LocationMatch, false, NOT_IN_DIR_CONTEXT);
}
Result location_match(CmdParms& cmd, Args) {
  return path_section(cmd, SectionKind::Location, SectionKind::LocationMatch, true, NOT_IN_DIR_CONTEXT);
}
Result files(CmdParms& cmd, Args) {
  return path_section(cmd, SectionKind::Files, SectionKind::FilesMatch, false,
                      NOT_IN_LIMIT | NOT_IN_LOCATION);
}
Result files_match(CmdParms& cmd, Args) {
  return path_section(cmd, SectionKind::Files, SectionKind::FilesMatch, true, NOT_IN_LIMIT | NOT_IN_LOCATION);
}
Result if_section(CmdParms& cmd, Args) {
  return condition_section(cmd, SectionKind::If);
}
Result elseif_section(CmdParms& cmd, Args) {
  return condition_section(cmd, SectionKind::ElseIf);
}
Result else_section(CmdParms& cmd, Args) {
  return condition_section(cmd, SectionKind::Else);
}
Result limit(CmdParms& cmd, Args) {
  return limit_section(cmd, SectionKind::Limit);
}
Result limit_except(CmdParms& cmd, Args) {
  return limit_section(cmd, SectionKind::LimitExcept);
}

} // namespace balancerd::directives::core
