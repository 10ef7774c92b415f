#include "server/proxy/proxied_type.hpp"

#include <algorithm>

#include "server/http/request.hpp"

namespace balancerd::proxy {

namespace {

// The last segment of r->filename, without the query.
std::string_view base_name(std::string_view filename) {
  filename = filename.substr(0, filename.find('?'));
  const auto slash = filename.rfind('/');
  if (slash == std::string_view::npos) return {};
  return filename.substr(slash + 1);
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
                  ProxiedMime& out, bool want_type) {
  handlers::resolve_file_mime(base_name(filename), mime, dir, out, want_type);
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
