#pragma once
// mod_mime's view of a proxied request: Apache's type checker runs on r->filename
// ("proxy:http://host/dir/name.ext", before the query is appended) and what it finds meets the
// backend's response as apache2 2.4.71 sends it (compat proxy pp-*, resp-mime-*):
//  - the type (with AddCharset's "; charset=") only when the backend names no Content-Type;
//  - AddEncoding's codings replace the backend's Content-Encoding;
//  - AddLanguage's languages (else DefaultLanguage) come first in Content-Language, the backend's
//    after them, joined by ",";
// none of it on a 204 or 304.
#include <string>
#include <string_view>
#include <vector>

#include "directives/model/config.hpp"
#include "server/handlers/file_mime.hpp"
#include "server/handlers/mime_types.hpp"
#include "server/proxy/backend_request.hpp"

namespace balancerd::proxy {

// The type for `filename` (r->filename of a proxied request), or empty. `dir`: the request's
// per-directory configuration (AddType, ForceType), may be null.
std::string_view proxied_file_type(std::string_view filename, const handlers::MimeTypes& mime,
                                   const directives::DirConf* dir);

// mod_mime's findings (type with charset, encodings, languages): the same resolver as static files.
using ProxiedMime = handlers::FileMime;

// Fills `out` (its buffers are reused) for `filename` under `dir` (may be null). `want_type` false
// when the backend sent a Content-Type: it replaces mod_mime's type whole, so the lookup is skipped.
void proxied_mime(std::string_view filename, const handlers::MimeTypes& mime, const directives::DirConf* dir,
                  ProxiedMime& out, bool want_type = true);

// Applies the encoding and languages of `m` to the backend's response fields: Content-Encoding
// replaced, Content-Language rebuilt in `language_buf` (which must outlive `fields`' use). The type
// is the caller's (it is not a field there).
void apply_proxied_mime(std::vector<Field>& fields, const ProxiedMime& m, std::string& language_buf);

} // namespace balancerd::proxy
