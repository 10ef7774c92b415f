#pragma once
// mod_mime's type checker for one file name, shared by static files and proxied requests (whose
// r->filename is "proxy:..."), as apache2 2.4.71 answers (compat http-core mime-*, proxy resp-mime-*).
// Every extension after the first dot counts, in order, case-insensitively:
//  - the type: the last extension with one (AddType, else TypesConfig; after a RemoveType the
//    extension has none); ForceType replaces it whole;
//  - the charset: the last AddCharset; it replaces or joins the type's parameters, which are then
//    written "type; name=value; ..." (not under ForceType, and not without a type);
//  - the encodings: every AddEncoding, lower case, joined by ", " (x-gzip stays x-gzip);
//  - the languages: every AddLanguage, lower case, joined by ","; none at all: DefaultLanguage as
//    written.
// Remove* of an extension undoes the Add* of an enclosing section (http_mime.cpp orders them).
// Leading dots are part of the name (".en", "..en" have no extension; ".a.en" has "en").
#include <string>
#include <string_view>

#include "directives/model/config.hpp"
#include "server/handlers/mime_types.hpp"

namespace balancerd::handlers {

struct FileMime {
  std::string type;      // Content-Type with its parameters; "" none
  std::string encoding;  // Content-Encoding; "" none
  std::string languages; // Content-Language; "" none
  // Keeps the buffers' capacity, so a thread_local FileMime stops allocating once warm.
  void clear() noexcept {
    type.clear();
    encoding.clear();
    languages.clear();
  }
};

// Fills `out` for `base_name` (the last path segment) under `dir` (may be null: TypesConfig only).
// `want_type` false: the type is left empty and not looked up (a proxied response whose backend sent
// a Content-Type, which replaces mod_mime's type whole; its encodings and languages still apply).
void resolve_file_mime(std::string_view base_name, const MimeTypes& types, const directives::DirConf* dir,
                       FileMime& out, bool want_type = true);

// `type` with its parameters written as mod_mime writes them, the charset parameter set to `charset`
// (added last when the type has none; left alone when `charset` is empty). Appends to `out`.
void append_type_with_charset(std::string& out, std::string_view type, std::string_view charset);

} // namespace balancerd::handlers
