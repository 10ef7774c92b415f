#pragma once
// Content types by file extension, as mod_mime assigns them: the TypesConfig file (loaded once per
// configuration), then the per-directory AddType/RemoveType mappings over it, and ForceType above
// all. Every extension of the name counts ("a.txt.gz"), the last one that has a type wins. The
// charset, encodings and languages are file_mime.hpp's.
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
  std::unordered_map<std::string, std::string> by_ext_; // lower-case extension -> type
};

} // namespace balancerd::handlers
