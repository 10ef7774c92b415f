#pragma once
// mod_mime's content type for a proxied request: Apache's type checker runs on r->filename
// ("proxy:http://host/dir/name.ext", before the query is appended), and mod_proxy_http keeps that type
// when the backend's response names none.
#include <string_view>

#include "directives/model/config.hpp"
#include "server/handlers/mime_types.hpp"

namespace balancerd::proxy {

// The type for `filename` (r->filename of a proxied request), or empty. `dir`: the request's
// per-directory configuration (AddType, ForceType), may be null.
std::string_view proxied_file_type(std::string_view filename, const handlers::MimeTypes& mime,
                                   const directives::DirConf* dir);

} // namespace balancerd::proxy
