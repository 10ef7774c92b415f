#include "server/handlers/file_mime.hpp"

#include <vector>

#include "directives/ci_string.hpp"

namespace balancerd::handlers {

namespace {

using Kind = directives::MimeMapping::Kind;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value the last `kind` mapping naming `ext` gives it; a Remove* after it gives none.
const std::string* mapping_for(const std::vector<directives::MimeMapping>& maps, Kind kind,
                               std::string_view ext) {
  const std::string* hit = nullptr;
  for (const auto& m : maps) {
    if (m.kind != kind) continue;
    for (const auto& e : m.extensions)
      if (directives::ci_equal(e, ext)) hit = m.remove ? nullptr : &m.value;
  }
  return hit;
}

void append_lower(std::string& out, std::string_view v) {
  for (char c : v) out.push_back(directives::ascii_lower(c));
}

} // namespace

void append_type_with_charset(std::string& out, std::string_view type, std::string_view charset) {
  const auto semi = type.find(';');
  if (semi == std::string_view::npos && charset.empty()) {
    out.append(type);
    return;
  }
  out.append(trim(type.substr(0, semi)));
  bool charset_set = false;
  std::string_view params = semi == std::string_view::npos ? std::string_view{} : type.substr(semi + 1);
  while (!params.empty()) {
    const auto next = params.find(';');
    const std::string_view param = trim(params.substr(0, next));
    params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
    if (param.empty()) continue;
    const auto eq = param.find('=');
    const std::string_view name = trim(param.substr(0, eq));
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : trim(param.substr(eq + 1));
    out.append("; ").append(name).push_back('=');
    if (!charset.empty() && directives::ci_equal(name, "charset")) {
      out.append(charset);
      charset_set = true;
    } else {
      out.append(value);
    }
  }
  if (!charset.empty() && !charset_set) out.append("; charset=").append(charset);
}

void resolve_file_mime(std::string_view name, const MimeTypes& types, const directives::DirConf* dir,
                       FileMime& out, bool want_type) {
  out.clear();
  static const std::vector<directives::MimeMapping> no_mappings;
  const auto& maps = dir ? dir->mapping->mime : no_mappings;
  const std::string* force = dir && dir->core->force_type && !dir->core->force_type->empty() &&
                                     !directives::ci_equal(*dir->core->force_type, "none")
                                 ? &*dir->core->force_type
                                 : nullptr;
  const std::string_view type = want_type ? types.lookup(name, maps, force) : std::string_view();

  // The first segment is the name itself, never an extension; leading dots belong to it.
  const auto dot = name.find('.', name.find_first_not_of('.'));
  std::string_view rest = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  std::string_view charset;
  while (!rest.empty() && !maps.empty()) {
    const auto next = rest.find('.');
    const std::string_view ext = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
    if (ext.empty()) continue;
    if (const auto* cs = mapping_for(maps, Kind::Charset, ext)) charset = *cs;
    if (const auto* enc = mapping_for(maps, Kind::Encoding, ext)) {
      if (!out.encoding.empty()) out.encoding.append(", ");
      append_lower(out.encoding, *enc);
    }
    if (const auto* lang = mapping_for(maps, Kind::Language, ext)) {
      if (!out.languages.empty()) out.languages.push_back(',');
      append_lower(out.languages, *lang);
    }
  }
  // ForceType names the whole type (core sets it after mod_mime): no charset joins it.
  if (force)
    out.type.assign(type);
  else if (!type.empty())
    append_type_with_charset(out.type, type, charset);
  if (out.languages.empty() && dir && dir->mapping->default_language)
    out.languages = *dir->mapping->default_language;
}

} // namespace balancerd::handlers
