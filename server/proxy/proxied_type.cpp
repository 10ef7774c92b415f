#include "server/proxy/proxied_type.hpp"

#include <vector>

namespace balancerd::proxy {

std::string_view proxied_file_type(std::string_view filename, const handlers::MimeTypes& mime,
                                   const directives::DirConf* dir) {
  filename = filename.substr(0, filename.find('?'));
  const auto slash = filename.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == filename.size()) return {};
  static const std::vector<directives::MimeMapping> none;
  return mime.lookup(filename.substr(slash + 1), dir ? dir->mapping->mime : none,
                     dir && dir->core->force_type ? &*dir->core->force_type : nullptr);
}

} // namespace balancerd::proxy
