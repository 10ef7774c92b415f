#pragma once
// Apache's default handler for a regular file: validators (ETag, Last-Modified), conditional
// requests (304/412), byte ranges (206, multipart/byteranges, 416), HEAD, and the body streamed
// from the file in fixed-size pieces (never the whole file in memory).
#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "directives/model/config.hpp"
#include "server/handlers/mime_types.hpp"
#include "server/net/exchange.hpp"

namespace balancerd::handlers {

struct StaticFile {
  std::string path;          // file system path
  struct stat st {};         // its stat
  std::string_view type;     // Content-Type ("" for none); must outlive the call
  std::string_view charset;  // AddDefaultCharset value to append to text/plain and text/html ("" = off)
  std::string_view encoding; // Content-Encoding from AddEncoding ("" none); must outlive the call
  std::string_view language; // Content-Language from AddLanguage/DefaultLanguage ("" none); likewise
  std::uint64_t body_limit = 1073741824; // LimitRequestBody for this request (0: unlimited)
  int status = 0;                        // ErrorDocument: send with this status, no conditionals or ranges
  bool etag = true;                      // FileETag None turns it off
  std::shared_ptr<const void> hold;      // kept alive until the response is done (the config snapshot)
  // How an error found while the request body is read and dropped (413 over LimitRequestBody for a
  // chunked body, 400 for a bad chunk) is answered: through the caller's error path, so that an
  // ErrorDocument applies (`arg` is passed back); null sends Apache's plain page.
  void (*body_error)(net::Exchange& ex, void* arg, int status) = nullptr;
  void* body_error_arg = nullptr;
};

// Sets the file's type, encoding and language from mod_mime (resolve_file_mime) for `base_name`
// under `dir` (may be null), and the AddDefaultCharset charset. The views point into `dir`, `types`
// and a per-thread buffer that the next call on this thread reuses (serve_static_file copies them
// when it has to wait).
void assign_file_mime(StaticFile& file, std::string_view base_name, const MimeTypes& types,
                      const directives::DirConf* dir);

// The type fields of an answer about the file that has no body of its own (OPTIONS's empty 200, for a
// file that exists or not: mod_mime types the request's file name before any handler runs):
// Content-Encoding, Content-Language and Content-Type with AddDefaultCharset's charset.
void add_file_type_fields(http::ResponseHead& h, const StaticFile& file);

// Answers the request from the file. Methods other than GET/HEAD get 405 (POST) as Apache does.
void serve_static_file(net::Exchange& ex, StaticFile file);

} // namespace balancerd::handlers
