#include "server/handlers/mime_types.hpp"

#include "directives/ci_string.hpp"

#include <cctype>
#include <fstream>

namespace balancerd::handlers {

void MimeTypes::add(std::string_view extension, std::string_view type) {
  by_ext_[directives::ascii_lower(extension)] = std::string(type);
}

bool MimeTypes::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::size_t i = 0;
    auto word = [&]() -> std::string_view {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      std::size_t b = i;
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      return std::string_view(line).substr(b, i - b);
    };
    std::string_view type = word();
    if (type.empty()) continue;
    for (std::string_view ext = word(); !ext.empty(); ext = word()) add(ext, type);
  }
  return true;
}

std::string_view MimeTypes::lookup(std::string_view name, const std::vector<directives::MimeMapping>& dir,
                                   const std::string* force_type) const {
  if (force_type && !force_type->empty() && !directives::ci_equal(*force_type, "none")) return *force_type;
  std::string_view result;
  auto dot = name.find('.', name.find_first_not_of('.')); // leading dots are part of the name
  if (dot == std::string_view::npos) return result;
  std::string_view rest = name.substr(dot + 1);
  char lower[64];
  while (!rest.empty()) {
    auto next = rest.find('.');
    std::string_view ext = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
    if (ext.empty() || ext.size() >= sizeof lower) continue;
    for (std::size_t i = 0; i < ext.size(); ++i)
      lower[i] = directives::ascii_lower(ext[i]); // ASCII, as Apache
    std::string_view key(lower, ext.size());
    // per-dir mappings in config order: the last one naming this extension decides
    const directives::MimeMapping* hit = nullptr;
    for (const auto& m : dir) {
      if (m.kind != directives::MimeMapping::Kind::Type) continue;
      for (const auto& e : m.extensions)
        if (e == key) hit = &m;
    }
    if (hit) {
      // RemoveType leaves the extension without a type: TypesConfig's is not consulted either
      if (!hit->remove) result = hit->value;
      continue;
    }
    auto it = by_ext_.find(key);
    if (it != by_ext_.end()) result = it->second;
  }
  return result;
}

} // namespace balancerd::handlers
