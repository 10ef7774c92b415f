#include "directives/modules/proxy_context.hpp"

#include "directives/ci_string.hpp"
#include "directives/modules/proxy_params.hpp"
#include "parser/words.hpp"

namespace balancerd::directives::proxy {

namespace {

enum class Effect { Sets, Keeps, Clears };

Effect section_effect(std::string_view name) {
  static constexpr std::string_view setting[] = {
      "<Directory", "<DirectoryMatch", "<Location", "<LocationMatch", "<Files", "<FilesMatch",
      "<Proxy",     "<ProxyMatch",     "<If",       "<ElseIf",        "<Else"};
  for (std::string_view s : setting)
    if (ci_equal(name, s)) return Effect::Sets;
  if (ci_equal(name, "<VirtualHost")) return Effect::Clears;
  return Effect::Keeps;
}

} // namespace

std::optional<std::string> section_path(const parser::Node& section) {
  const std::string& name = section.name;
  if (ci_equal(name, "<If") || ci_equal(name, "<ElseIf") || ci_equal(name, "<Else"))
    return std::string("*If");
  std::string_view args = section.args;
  const auto gt = args.rfind('>');
  if (gt != std::string_view::npos) args = args.substr(0, gt);
  std::string path = parser::next_word(args);
  if (ci_starts_with(name, "<Proxy")) {
    if (ci_starts_with(path, "proxy:")) path.erase(0, 6);
    return path;
  }
  const bool is_match =
      ci_equal(name, "<DirectoryMatch") || ci_equal(name, "<LocationMatch") || ci_equal(name, "<FilesMatch");
  if (!is_match && path == "~") return parser::next_word(args);
  if (ci_equal(name, "<Directory") && path != "/" && !path.empty() && path.back() != '/') path += '/';
  return path;
}

std::optional<std::string> cmd_path(const CmdParms& cmd) {
  for (auto it = cmd.parents.rbegin(); it != cmd.parents.rend(); ++it) {
    switch (section_effect((*it)->name)) {
    case Effect::Sets:
      return section_path(**it);
    case Effect::Clears:
      return std::nullopt;
    case Effect::Keeps:
      break;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> cmd_path_view(const CmdParms& cmd, std::string& storage) {
  for (auto it = cmd.parents.rbegin(); it != cmd.parents.rend(); ++it) {
    const parser::Node& section = **it;
    switch (section_effect(section.name)) {
    case Effect::Clears:
      return std::nullopt;
    case Effect::Keeps:
      continue;
    case Effect::Sets:
      break;
    }
    std::string_view args = section.args;
    const auto gt = args.rfind('>');
    if (gt != std::string_view::npos) args = args.substr(0, gt);
    // A <Proxy> path without backslashes is its first word's bytes as they stand (quotes removed):
    // no copy. Anything else takes section_path.
    if (ci_starts_with(section.name, "<Proxy") && args.find('\\') == std::string_view::npos) {
      while (!args.empty() && (args.front() == ' ' || args.front() == '\t' || args.front() == '\n' ||
                               args.front() == '\v' || args.front() == '\f' || args.front() == '\r'))
        args.remove_prefix(1);
      std::string_view word;
      if (!args.empty() && (args.front() == '"' || args.front() == '\'')) {
        const auto close = args.find(args.front(), 1);
        word = args.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
      } else {
        const auto end = args.find_first_of(" \t\n\v\f\r");
        word = args.substr(0, end);
      }
      if (ci_starts_with(word, "proxy:")) word.remove_prefix(6);
      return word;
    }
    storage = *section_path(section);
    return std::string_view(storage);
  }
  return std::nullopt;
}

bool module_loaded(const CmdParms& cmd, std::string_view source) {
  for (const LoadedModule& m : cmd.config.modules)
    if (m.source == source) return true;
  return false;
}

ParamContext param_context(CmdParms& cmd) {
  ParamContext ctx;
  ctx.hcheck_loaded = module_loaded(cmd, "mod_proxy_hcheck.c");
  ctx.modules = &cmd.config.modules;
  ctx.templates = &cmd.server.proxy.hc_templates;
  ctx.conditions = &cmd.server.proxy.hc_conditions;
  return ctx;
}

} // namespace balancerd::directives::proxy
