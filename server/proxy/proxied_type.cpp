#include "server/proxy/proxied_type.hpp"

#include <algorithm>

#include "server/http/request.hpp"

namespace balancerd::proxy {

namespace {

using Kind = directives::MimeMapping::Kind;

// The last segment of r->filename, without the query.
std::string_view base_name(std::string_view filename) {
  filename = filename.substr(0, filename.find('?'));
  const auto slash = filename.rfind('/');
  if (slash == std::string_view::npos) return {};
  return filename.substr(slash + 1);
}

// The value the last `kind` mapping naming `ext` gives it (a Remove* gives none).
const std::string* mapping_for(const std::vector<directives::MimeMapping>& maps, Kind kind,
                               std::string_view ext) {
  const std::string* hit = nullptr;
  for (const auto& m : maps) {
    if (m.kind != kind) continue;
    for (const auto& e : m.extensions)
      if (http::iequals(e, ext)) hit = m.remove ? nullptr : &m.value;
  }
  return hit;
}

void append_lower(std::string& out, std::string_view v) {
  for (char c : v) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
}

void remove_fields(std::vector<Field>& fields, std::string_view name) {
  std::erase_if(fields, [name](const Field& f) { return http::iequals(f.name, name); });
}

} // namespace

std::string_view proxied_file_type(std::string_view filename, const handlers::MimeTypes& mime,
                                   const directives::DirConf* dir) {
  const auto name = base_name(filename);
  if (name.empty()) return {};
  static const std::vector<directives::MimeMapping> none;
  return mime.lookup(name, dir ? dir->mapping->mime : none,
                     dir && dir->core->force_type ? &*dir->core->force_type : nullptr);
}

void proxied_mime(std::string_view filename, const handlers::MimeTypes& mime, const directives::DirConf* dir,
                  ProxiedMime& out) {
  out.clear();
  out.type.assign(proxied_file_type(filename, mime, dir));
  if (!dir) return;
  const auto& maps = dir->mapping->mime;
  const bool forced = dir->core->force_type && !dir->core->force_type->empty() &&
                      !http::iequals(*dir->core->force_type, "none");
  std::string_view name = base_name(filename);
  const auto dot = name.find('.');
  std::string_view rest = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  std::string_view charset;
  while (!rest.empty()) {
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
  // ForceType names the whole type: no charset is added to it.
  if (!charset.empty() && !forced && !out.type.empty() && out.type.find("charset=") == std::string::npos)
    out.type.append("; charset=").append(charset);
  if (out.languages.empty() && dir->mapping->default_language)
    out.languages = *dir->mapping->default_language;
}

void apply_proxied_mime(std::vector<Field>& fields, const ProxiedMime& m, std::string& language_buf) {
  if (!m.encoding.empty()) {
    remove_fields(fields, "Content-Encoding");
    fields.push_back({"Content-Encoding", m.encoding});
  }
  if (!m.languages.empty()) {
    // apache2 keeps the request's languages as a list: the backend's are split into it, and the field
    // is written back from the list.
    language_buf.assign(m.languages);
    for (const auto& f : fields) {
      if (!http::iequals(f.name, "Content-Language")) continue;
      std::string_view v = f.value;
      while (!v.empty()) {
        const auto comma = v.find(',');
        std::string_view t = v.substr(0, comma);
        v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
        if (t.empty()) continue;
        language_buf.push_back(',');
        language_buf.append(t);
      }
    }
    remove_fields(fields, "Content-Language");
    fields.push_back({"Content-Language", language_buf});
  }
}

} // namespace balancerd::proxy
