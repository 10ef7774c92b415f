#pragma once
// Apache's server-generated error responses, byte for byte: the HTML body for each status (with the
// method, error note or Expect value where Apache puts them), the ServerSignature footer, and the whole
// response with Apache's headers.
#include <cstdint>
#include <string>
#include <string_view>

#include "server/http/response.hpp"

namespace balancerd::http {

enum class ServerSignature : unsigned char { Off, On, EMail };
enum class ServerTokens : unsigned char { Full, OS, Minimal, Minor, Major, Prod };

// The product string Apache 2.4.71 on Debian reports for a ServerTokens setting.
std::string_view server_banner(ServerTokens tokens) noexcept;

struct ErrorPageInfo {
  std::string_view method; // 405, 411, 413, 501 mention it (HTML-escaped)
  std::string_view note;   // Apache's "error-notes": already HTML, inserted as is (400, 411, 414, 501, 502)
  std::string_view expect; // 417: the Expect value the client sent (HTML-escaped)
  std::string_view server_admin; // ServerAdmin; the 500 text says "[no address given]" without one
  std::string_view reason;       // replaces the reason phrase in title/h1/status line ("Proxy Error")
  ServerSignature signature = ServerSignature::Off;
  std::string_view banner;   // product string for the footer (server_banner())
  std::string_view host;     // footer host (UseCanonicalName Off: the Host header's name)
  unsigned port = 80;        // footer port
  std::string_view location; // 301/302/303/307/308: the URL the page links to (HTML-escaped)
  // A local ErrorDocument that failed itself: Apache's "Additionally, a <status> <reason> error was
  // encountered while trying to use an ErrorDocument" paragraph, naming this status, before the
  // footer (0: none).
  int additional_status = 0;
};

// Appends the body Apache sends for status. Codes Apache does not know become 500.
void append_error_body(std::string& out, int status, const ErrorPageInfo& info);

// Apache answers an unknown status as 500.
int normalize_error_status(int status) noexcept;

struct ErrorResponseOptions {
  HeadFraming framing;
  std::string_view allow;           // Allow header (405/501)
  bool head_request = false;        // HEAD: Content-Type only, no Content-Length, no body
  bool omit_content_length = false; // Apache's 413 for an over-limit body has none (it closes)
};

// Appends the complete response (head and body).
void append_error_response(std::string& out, int status, const ErrorPageInfo& info,
                           const ErrorResponseOptions& options, ResponseHead& scratch);

void append_html_escaped(std::string& out, std::string_view text);

} // namespace balancerd::http
