#pragma once
// Content types by file extension, as mod_mime assigns them: the TypesConfig file (loaded once per
// configuration), then the per-directory AddType/RemoveType mappings over it, and ForceType above
// all. Every extension of the name counts ("a.txt.gz"), the last one that has a type wins. The
// charset, encodings and languages are file_mime.hpp's.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "directives/model/mapping_conf.hpp"

namespace balancerd::handlers {

class MimeTypes {
public:
  // Reads a mime.types file ("type ext ext..." lines, '#' comments). False if it cannot be read.
  bool load_file(const std::string& path);
  // Adds one mapping (used by load_file and by tests).
  void add(std::string_view extension, std::string_view type);
  // The type for `file_name` (a base name), given the per-dir mappings; empty when none applies.
  std::string_view lookup(std::string_view file_name,
                          const std::vector<directives::MimeMapping>& dir_mappings,
                          const std::string* force_type) const;

private:
  // Looked up by string_view (no key string per request) with a short hash: extensions are a few
  // bytes, for which the library's general byte hash costs more than the rest of the lookup.
  struct ExtHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      std::size_t h = 14695981039346656037ull; // FNV-1a
      for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
      return h;
    }
  };
  std::unordered_map<std::string, std::string, ExtHash, std::equal_to<>>
      by_ext_; // lower-case extension -> type
};

} // namespace balancerd::handlers
