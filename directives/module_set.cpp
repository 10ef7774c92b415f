#include "directives/module_set.hpp"

#include "directives/ci_string.hpp"
#include "directives/module_link_deps.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace balancerd::directives {

std::string module_short_name(std::string_view id) {
  constexpr std::string_view suffix = "_module";
  if (id.size() > suffix.size() && id.substr(id.size() - suffix.size()) == suffix)
    id.remove_suffix(suffix.size());
  return std::string(id);
}

ModuleSet::ModuleSet(Diagnostics& diagnostics) : diagnostics_(diagnostics) {
  for (const ModuleDef& m : all_modules())
    if (m.builtin) add(&m, LoadedModule{std::string(m.id), std::string(m.source), ""});
}

void ModuleSet::add(const ModuleDef* def, LoadedModule info) {
  if (def)
    for (const DirectiveDef& d : def->directives) insert_directive(&d, def);
  loaded_.push_back(Loaded{std::move(info), def});
}

const ModuleSet::Loaded* ModuleSet::find_loaded(std::string_view name) const {
  for (const Loaded& m : loaded_)
    if (m.info.id == name || m.info.source == name) return &m;
  return nullptr;
}

bool ModuleSet::module_loaded(std::string_view name) const {
  return find_loaded(name) != nullptr;
}

bool ModuleSet::directive_known(std::string_view name) const {
  return find(name).def != nullptr;
}

std::size_t ModuleSet::CiHash::operator()(std::string_view s) const {
  // Eight bytes at a time (one lookup per config line): each byte OR 0x20 folds ASCII letters to
  // lower case. Other bytes may fold together too ('@' and '`'), which only costs a comparison:
  // the name comparison decides.
  constexpr std::uint64_t kFold = 0x2020202020202020ull;
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = s.size() * kMul;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ (w | kFold)) * kMul;
    h ^= h >> 29;
  }
  if (i < s.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    h = (h ^ (w | kFold)) * kMul;
    h ^= h >> 29;
  }
  return static_cast<std::size_t>(h);
}

namespace {

// ci_equal eight bytes at a time where the bytes are identical (a name is usually typed as its
// module spells it), byte by byte only in a block that differs.
bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  std::size_t i = 0;
  for (; i + 8 <= a.size(); i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y && !ci_equal(a.substr(i, 8), b.substr(i, 8))) return false;
  }
  std::uint64_t x = 0, y = 0;
  std::memcpy(&x, a.data() + i, a.size() - i);
  std::memcpy(&y, b.data() + i, b.size() - i);
  return x == y || ci_equal(a.substr(i), b.substr(i));
}

} // namespace

void ModuleSet::insert_directive(const DirectiveDef* def, const ModuleDef* module) {
  if ((entries_ + 1) * 2 > table_.size()) {
    // Grow (doubling, from 512) and re-place every entry.
    std::vector<Entry> old = std::move(table_);
    table_.assign(old.empty() ? 512 : old.size() * 2, Entry{});
    entries_ = 0;
    for (const Entry& e : old)
      if (e.found.def) insert_directive(e.found.def, e.found.module);
  }
  const std::size_t hash = CiHash{}(def->name);
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    Entry& e = table_[i];
    if (!e.found.def) {
      e = Entry{hash, FoundDirective{def, module}};
      ++entries_;
      return;
    }
    // The same name from a module loaded later replaces it, as in Apache's module list.
    if (e.hash == hash && ci_equal(e.found.def->name, def->name)) {
      e.found = FoundDirective{def, module};
      return;
    }
  }
}

FoundDirective ModuleSet::find(std::string_view name) const {
  if (table_.empty()) return {};
  const std::size_t hash = CiHash{}(name);
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Entry& e = table_[i];
    if (!e.found.def) return {};
    if (e.hash == hash && same_name(e.found.def->name, name)) return e.found;
  }
}

namespace {
// dlopen's view of a file we will not really open: missing, or not an ELF object.
std::optional<std::string> dlopen_error(const std::string& path, std::string_view as_written) {
  // dlopen reports the path it was given; a bare file name is searched for, not made absolute.
  const std::string shown = as_written.find('/') == std::string_view::npos ? std::string(as_written) : path;
  const std::string prefix = "Cannot load " + std::string(as_written) + " into server: " + shown + ": ";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return prefix + "cannot open shared object file: No such file or directory";
  // The loader reads a whole ELF header (64 bytes) before it looks at the magic.
  char header[64] = {};
  const std::size_t n = std::fread(header, 1, sizeof header, f);
  std::fclose(f);
  if (n < sizeof header) return prefix + "file too short";
  if (header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F')
    return prefix + "invalid ELF header";
  return std::nullopt;
}
} // namespace

std::optional<std::string> ModuleSet::load_module(std::string_view id, const std::string& path) {
  return load_module_as_written(id, path, path);
}

std::optional<std::string> ModuleSet::load_file(const std::string& path) {
  return load_file_as_written(path, path);
}

std::string ModuleSet::canonical_name(std::string_view name) const {
  const FoundDirective found = find(name);
  return found.def ? std::string(found.def->name) : std::string(name);
}

std::optional<std::string> ModuleSet::load_module_as_written(std::string_view id, const std::string& path,
                                                             std::string_view as_written) {
  const std::string name(id);
  for (const Loaded& m : loaded_) {
    if (m.info.id != name) continue;
    if (m.info.path.empty()) return "module " + name + " is built-in and can't be loaded";
    diagnostics_.log("so", "warn", "AH01574: module " + name + " is already loaded, skipping");
    return std::nullopt;
  }
  if (auto err = dlopen_error(path, as_written)) return err;
  const std::string so = std::filesystem::path(path).filename().string();
  const ModuleDef* by_file = find_module_by_so(so);
  const ModuleDef* by_id = find_module_by_id(name);
  if (by_file && by_file->id != name) {
    // The file is one we know and it does not define this module structure.
    return "Can't locate API module structure `" + name + "' in file " + path + ": " + path +
           ": undefined symbol: " + name;
  }
  const ModuleDef* def = by_file ? by_file : by_id;
  if (!def) {
    diagnostics_.log(
        "so", "warn",
        "module " + name + " (" + path +
            ") is not known to balancerd: loaded as a name only, its directives are not available");
    add(nullptr, LoadedModule{name, "", path});
    return std::nullopt;
  }
  for (const LinkDependency& dep : link_dependencies()) {
    if (dep.module != def->id || module_loaded(dep.needs)) continue;
    const std::string shown = as_written.find('/') == std::string_view::npos ? std::string(as_written) : path;
    return "Cannot load " + std::string(as_written) + " into server: " + shown +
           ": undefined symbol: " + std::string(dep.symbol);
  }
  add(def, LoadedModule{name, std::string(def->source), path});
  return std::nullopt;
}

std::optional<std::string> ModuleSet::load_file_as_written(const std::string& path,
                                                           std::string_view as_written) {
  return dlopen_error(path, as_written);
}

void ModuleSet::log(std::string_view module, std::string_view level, std::string_view text) {
  diagnostics_.log(module, level, text);
}

std::optional<std::string> ModuleSet::loglevel_module(std::string_view name) const {
  const std::string n(name);
  for (const std::string& candidate : {n, n + "_module", "mod_" + n + ".c"})
    if (const Loaded* m = find_loaded(candidate)) return m->info.id;
  return std::nullopt;
}

std::vector<LoadedModule> ModuleSet::loaded_info() const {
  std::vector<LoadedModule> out;
  out.reserve(loaded_.size());
  for (const Loaded& m : loaded_) out.push_back(m.info);
  return out;
}

std::size_t ModuleSet::mpm_count() const {
  std::size_t n = 0;
  for (const Loaded& m : loaded_)
    if (m.info.id.rfind("mpm_", 0) == 0) ++n;
  return n;
}

} // namespace balancerd::directives
