#pragma once
// The modules loaded while reading: the ReadHooks the parser calls (LoadModule, <IfModule>,
// <IfDirective>), and the case-insensitive directive lookup the walk pass uses. Built-in modules are
// always loaded; LoadModule follows Apache's checks and messages.
#include "directives/diagnostics.hpp"
#include "directives/model/config.hpp"
#include "directives/registry.hpp"
#include "parser/read_hooks.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives {

struct FoundDirective {
  const DirectiveDef* def = nullptr;
  const ModuleDef* module = nullptr;
};

class ModuleSet : public parser::ReadHooks {
public:
  explicit ModuleSet(Diagnostics& diagnostics);

  bool module_loaded(std::string_view name) const override;
  bool directive_known(std::string_view name) const override;
  std::optional<std::string> load_module(std::string_view id, const std::string& path) override;
  std::optional<std::string> load_file(const std::string& path) override;
  void log(std::string_view module, std::string_view level, std::string_view text) override;
  // The path as written goes into Apache's "Cannot load" text; nesting errors name a section in its
  // registered spelling.
  std::optional<std::string> load_module_as_written(std::string_view id, const std::string& path,
                                                    std::string_view as_written) override;
  std::optional<std::string> load_file_as_written(const std::string& path,
                                                  std::string_view as_written) override;
  std::string canonical_name(std::string_view name) const override;

  // The directive `name` (any case) of a loaded module; the most recently loaded module wins, as in
  // Apache's module list.
  FoundDirective find(std::string_view name) const;
  // The id of a loaded module named as LogLevel accepts it ("proxy", "proxy_module", "mod_proxy.c").
  std::optional<std::string> loglevel_module(std::string_view name) const;
  // Loaded modules, static first, then in LoadModule order. `def` is null for a module balancerd
  // does not know (loaded with a warning; it registers no directives).
  struct Loaded {
    LoadedModule info;
    const ModuleDef* def = nullptr;
  };
  const std::vector<Loaded>& loaded() const { return loaded_; }
  std::vector<LoadedModule> loaded_info() const;
  std::size_t mpm_count() const;

private:
  void add(const ModuleDef* def, LoadedModule info);
  const Loaded* find_loaded(std::string_view name) const;
  Diagnostics& diagnostics_;
  std::vector<Loaded> loaded_;
  // ASCII case-insensitive hash, of the name as written: no lower-cased copy per lookup (one per
  // config line).
  struct CiHash {
    std::size_t operator()(std::string_view s) const;
  };
  // The directives of the loaded modules by name (any case): open addressing with linear probing
  // in a power-of-two table at most half full, each entry keeping its name's hash, so a lookup is
  // one hash, a mask and usually one comparison. An entry with no def is empty.
  struct Entry {
    std::size_t hash = 0;
    FoundDirective found;
  };
  void insert_directive(const DirectiveDef* def, const ModuleDef* module);
  std::vector<Entry> table_;
  std::size_t entries_ = 0;
};

// The short module name Apache prints in log lines: "proxy_module" -> "proxy".
std::string module_short_name(std::string_view id);

} // namespace balancerd::directives
