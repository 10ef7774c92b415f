#pragma once
// Incremental parser for a backend's response head (mod_proxy_http's reading of the status line and
// header fields), fed with whatever the connection read. It answers as Apache does:
// - "HTTP/1.x NNN reason": parsed; one stray empty line before it is skipped.
// - A first line that is not "HTTP/#.# ###...": an HTTP/0.9 response (200, no fields, every byte is
//   body, connection not reused).
// - "HTTP/2.0 ..." or a status line at/over responsefieldsize: error CorruptStatusLine (502).
// - A field line without ':' per ProxyBadHeader (IsError: 502, Ignore: skipped, StartBody: the body
//   starts there). Folded lines (starting with SP/HT) continue the previous field.
// - A field line over responsefieldsize: error HeaderTooLong (502).
// - 1xx responses come back as Interim, one at a time, before the final head.
// The head's bytes are kept in the parser's own buffer (reused across responses: no allocation per
// response once warm); views stay valid until the next parse() after a Final/Interim, or reset().
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "directives/model/proxy_conf.hpp"
#include "server/http/request.hpp"

namespace balancerd::backend {

enum class BodyFraming : unsigned char {
  None,       // HEAD request, 1xx, 204, 304: no body bytes follow
  Length,     // Content-Length bytes
  Chunked,    // Transfer-Encoding ending in chunked
  UntilClose, // read until the backend closes (no framing, HTTP/0.9, other transfer codings)
};

enum class ResponseError : unsigned char {
  None,
  NoResponse,          // the backend closed (or sent only an empty line) before a status line
  CorruptStatusLine,   // HTTP/x.y with x != 1, or a status line too long
  BadHeader,           // ProxyBadHeader IsError and a field line without ':'
  HeaderTooLong,       // a field line over responsefieldsize
  TooManyHeaders,      // more than 100 fields (Apache's LimitRequestFields default applies to responses)
  MalformedConnection, // a Connection field Apache cannot parse
  BadContentLength,    // a Content-Length that is not a number (or several that differ)
  Truncated,           // the backend closed mid-head
};

struct ParserOptions {
  std::size_t field_size = 8192; // responsefieldsize
  directives::ProxyBadHeader bad_header = directives::ProxyBadHeader::IsError;
  bool head_request = false; // the request was HEAD: no body whatever the fields say
};

struct BackendResponseHead {
  int status = 0;
  unsigned char major = 1, minor = 1;
  bool http09 = false;
  // "200 OK" as the backend sent it, from the status code to the end of the line (Apache forwards it
  // verbatim); reason is the part after the code and its space.
  std::string_view status_line;
  std::string_view reason;
  std::vector<http::Header> fields; // in order, values trimmed, folded lines joined

  const http::Header* find(std::string_view name) const noexcept;
};

class ResponseParser {
public:
  enum class Result : unsigned char { NeedMore, Interim, Final, Error };

  ResponseParser() = default;
  // Forget the previous response; keep buffer capacity.
  void reset(const ParserOptions& opt);

  // Parses from the front of in; consumed says how many bytes belong to the head (the rest, if any,
  // is body or the next head after an Interim). After Interim call parse() again with the rest.
  Result parse(std::span<const char> in, std::size_t& consumed);
  // The backend closed the connection: Final (an HTTP/0.9 response whose first line had no end) or
  // Error (NoResponse, Truncated).
  Result finish();

  const BackendResponseHead& head() const noexcept { return head_; }
  ResponseError error() const noexcept { return error_; }
  // The reason Apache puts on its 502 page for error(), e.g. "Corrupt status line returned by remote
  // server: HTTP/2.0 200 OK", "Error reading from remote server".
  std::string_view error_reason() const noexcept { return reason_; }

  // Set with Final.
  BodyFraming framing() const noexcept { return framing_; }
  std::uint64_t content_length() const noexcept { return content_length_; }
  // Bytes the head section already holds that are body (ProxyBadHeader StartBody's line, or an
  // HTTP/0.9 first line): send them before what follows `consumed`.
  std::span<const char> body_prefix() const noexcept { return body_prefix_; }
  // Whether the backend lets the connection be reused after the body: HTTP/1.1 without
  // "Connection: close", HTTP/1.0 with "Connection: keep-alive", framed body, no TE+CL conflict.
  bool keep_alive() const noexcept { return keep_alive_; }
  // Both Transfer-Encoding and Content-Length were sent (Apache drops Content-Length).
  bool te_and_cl() const noexcept { return te_and_cl_; }
  // Tokens of the backend's Connection fields (hop-by-hop names to drop), lower-cased views.
  std::span<const std::string_view> connection_tokens() const noexcept { return conn_tokens_; }

private:
  enum class State : unsigned char { StatusLine, Fields, Done, Failed };
  Result line(std::string_view ln, bool folded_next_known);
  Result fail(ResponseError e);
  Result finish_head();
  Result status_line(std::string_view ln);
  Result field_line(std::size_t begin, std::size_t end);
  void reset_head() noexcept;

  ParserOptions opt_;
  State state_ = State::StatusLine;
  std::string buf_;      // the head's bytes (lines) of the current response
  std::size_t scan_ = 0; // where the next line search starts in buf_
  std::size_t line_start_ = 0;
  bool skipped_empty_ = false;
  bool saw_fields_ = false;
  std::vector<std::pair<std::size_t, std::size_t>> spans_; // field lines [begin,end) in buf_ (folded joined)
  BackendResponseHead head_;
  ResponseError error_ = ResponseError::None;
  std::string reason_;
  BodyFraming framing_ = BodyFraming::UntilClose;
  std::uint64_t content_length_ = 0;
  std::span<const char> body_prefix_;
  bool keep_alive_ = false;
  bool te_and_cl_ = false;
  std::vector<std::string_view> conn_tokens_;
};

} // namespace balancerd::backend
