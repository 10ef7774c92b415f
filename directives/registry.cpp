// The module tables: built once from the X-macro lists, with handlers bound by module source + name.
#include "directives/registry.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

namespace balancerd::directives {

namespace {

// The generated lists may spell module fields either as identifiers or as string literals: accept both.
constexpr std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}
#define BD_STR(x) unquote(#x)

struct RawModule {
  std::string_view id, source, so;
  bool builtin;
};
struct RawDirective {
  std::string_view source, name;
  unsigned req_override;
  ArgShape shape;
  std::string_view help;
};

constexpr RawModule raw_modules[] = {
#define BD_MODULE(id, source, so, builtin)                                                                   \
  {BD_STR(id), BD_STR(source), BD_STR(so), static_cast<bool>(builtin)},
#include "directives/generated/modules.inc"
#undef BD_MODULE
};

constexpr RawDirective raw_directives[] = {
#define BD_DIRECTIVE(source, name, req_override, shape, help)                                                \
  {BD_STR(source), name, static_cast<unsigned>(req_override), ArgShape::shape, help},
#include "directives/generated/directives.inc"
#undef BD_DIRECTIVE
};

const HandlerBinding* find_binding(std::string_view source, std::string_view name) {
  for (auto family : {core_family_bindings, proxy_family_bindings, http_family_bindings}) {
    for (const HandlerBinding& b : family(source))
      if (b.name == name) return &b;
  }
  return nullptr;
}

struct Registry {
  std::vector<std::vector<DirectiveDef>> defs; // one list per module, same index as modules
  std::vector<ModuleDef> modules;
  std::unordered_map<std::string_view, const ModuleDef*> by_id, by_source, by_so;

  Registry() {
    const std::size_t n = std::size(raw_modules);
    defs.resize(n);
    std::unordered_map<std::string_view, std::size_t> index;
    for (std::size_t i = 0; i < n; ++i) index.emplace(raw_modules[i].source, i);
    for (const RawDirective& d : raw_directives) {
      auto it = index.find(d.source);
      if (it == index.end()) continue; // a directive of a module we do not list
      DirectiveDef def{d.name, d.req_override, d.shape, d.help};
      if (const HandlerBinding* b = find_binding(d.source, d.name)) {
        def.support = b->support;
        def.handler = b->handler;
      }
      defs[it->second].push_back(def);
    }
    modules.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const RawModule& m = raw_modules[i];
      modules.push_back(ModuleDef{m.id, m.source, m.so, m.builtin, defs[i]});
    }
    for (const ModuleDef& m : modules) {
      by_id.emplace(m.id, &m);
      by_source.emplace(m.source, &m);
      if (!m.so.empty()) by_so.emplace(m.so, &m);
    }
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

const ModuleDef* lookup(const std::unordered_map<std::string_view, const ModuleDef*>& map,
                        std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : it->second;
}

} // namespace

std::span<const ModuleDef> all_modules() {
  return registry().modules;
}
const ModuleDef* find_module_by_id(std::string_view id) {
  return lookup(registry().by_id, id);
}
const ModuleDef* find_module_by_source(std::string_view source) {
  return lookup(registry().by_source, source);
}
const ModuleDef* find_module_by_so(std::string_view so_file_name) {
  return lookup(registry().by_so, so_file_name);
}

} // namespace balancerd::directives
