#pragma once
// Incremental parser for a backend's response head (mod_proxy_http's reading of the status line and
// header fields), fed with whatever the connection read. Behaviour checked against Apache 2.4.71:
// - "HTTP/1.x NNN reason": parsed (a 4th digit or other junk after the code makes Apache use its own
//   reason phrase: reason_valid false). One stray empty line before it is skipped; a second one, or
//   the backend closing before a complete first line, or a first line holding a NUL byte, is "Error
//   reading from remote server" (502).
// - A first line not of the form "HTTP/#.# ###...": an HTTP/0.9 response (200, no fields, the line
//   without its line ending then every following byte is body, connection not reused).
// - "HTTP/2.0 ..." or a status line of responsefieldsize-1 bytes or more: CorruptStatusLine (502 with
//   the reason "Corrupt status line returned by remote server: <line>").
// - A field line without ':' per ProxyBadHeader: IsError: BadHeader (plain 502 Bad Gateway); Ignore:
//   skipped; StartBody: the line is dropped and the body starts after it.
// - Lines starting with SP/HT continue the previous field (appended as sent, leading blanks kept).
// - A field line of responsefieldsize bytes or more: HeaderTooLong (plain 502 Bad Gateway).
// - LF-only line ends are accepted. Field names are kept as sent (Apache keeps "X-S " and later
//   refuses it with a 500); values lose leading and trailing blanks.
// - 1xx responses (but 101) come back as Interim, one at a time, before the final head.
// A head that arrives whole in one parse() call is not copied: its views point into the caller's
// input, which must stay unchanged while they are used (the proxy uses them before it reads again).
// A head in pieces is kept in the parser's own buffers (reused across responses: no allocation per
// response once warm). Either way the views are valid until the next parse() or reset(). A head that arrives
// whole is scanned in one pass: lines found with memchr in the input, field positions recorded, the bytes
// appended to the parser's buffer once, and the names that matter recognised once (response_field.hpp).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "directives/model/proxy_conf.hpp"
#include "server/backend/response_field.hpp"
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
  NoResponse,        // the backend closed (or sent only an empty line) before a status line
  CorruptStatusLine, // HTTP/x.y with x != 1, or a status line too long
  BadHeader,         // ProxyBadHeader IsError and a field line without ':'
  HeaderTooLong,     // a field line over responsefieldsize
  BadContentLength,  // a (first) Content-Length that is not a number; later ones are ignored
  Truncated,         // closed after the status line, before the empty line: apache2 answers it as a
                     // bad header (plain 502 Bad Gateway, AH01106)
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
  bool reason_valid = true;         // false: "HTTP/1.1 2000 x" (Apache replaces the line with its own phrase)
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
  // Tokens of the backend's Connection fields (hop-by-hop names to drop), as sent: compare them
  // case-insensitively.
  std::span<const std::string_view> connection_tokens() const noexcept { return conn_tokens_; }
  // The head has a Content-Type field (set with Final).
  bool content_typed() const noexcept { return content_typed_; }

private:
  enum class State : unsigned char { StatusLine, Fields, Done, Failed };
  // A field line's place in text_ (offsets: text_ may grow while the head arrives).
  struct FieldPos {
    std::uint32_t name;             // first byte of the name
    std::uint32_t colon;            // the ':'
    std::uint32_t value, value_end; // the value without the blanks around it
    std::uint32_t end;              // end of the line, without its line ending
    std::uint32_t len;              // the line's length with the folded lines joined to it (for field_size)
    ResponseField kind;             // the name recognised
    bool folded;                    // continuation lines follow (in folds_)
  };
  struct FoldPos {
    std::uint32_t field; // index in field_pos_
    std::uint32_t begin, end;
  };

  Result on_line(std::string_view ln, std::size_t off);
  Result on_status_line(std::string_view ln, std::size_t off);
  Result on_field_line(std::string_view ln, std::size_t off);
  // A field line with its ':' (the common case, also taken by the scan in parse()).
  [[gnu::always_inline]] inline void add_field(std::string_view ln, std::size_t off, std::size_t colon);
  // After a line that ended something: builds the head when the empty line was reached.
  Result after_line(Result r);
  Result long_partial_line();
  Result fail(ResponseError e, std::string_view line = {});
  Result finish_head();
  void start_head() noexcept;
  void take_http09(std::string_view first_line);
  std::string_view joined_value(std::size_t field);
  // Where the field positions of the head being parsed go: a per-thread scratch list while the head
  // is scanned within one parse() call (the common case: hot in the cache, where the parser's own
  // list, one per request, was cold at hundreds of connections), the parser's own list once a head
  // spans calls (the scratch is moved there before parse() returns NeedMore). Chosen by each parse()
  // call, the only place positions are used.
  std::vector<FieldPos>& positions() noexcept { return *positions_; }
  static std::vector<FieldPos>& scratch_positions() noexcept;

  ParserOptions opt_;
  State state_ = State::StatusLine;
  // The current head's bytes as received (one append per parse() call), from its first line on;
  // views of the head point here. line_start_: where the line not yet ended begins.
  std::string text_;
  std::size_t line_start_ = 0;
  const char* head_base_ = nullptr; // what the offsets of the finished head count from: text_ or the input
  std::vector<FieldPos> field_pos_; // see positions()
  std::vector<FieldPos>* positions_ = &field_pos_;
  std::uint32_t status_off_ = 0, status_len_ = 0; // "200 OK" in text_
  char status3_[4] = {};                          // "200 " for a status line without a reason
  bool skipped_empty_ = false;
  bool fold_ok_ = false;     // the last line was a field a continuation line may join
  bool body_starts_ = false; // StartBody: the head ended at a bad line
  bool content_typed_ = false;
  bool rare_used_ = false; // one of the members below the last one may hold something
  BackendResponseHead head_;
  ResponseError error_ = ResponseError::None;
  BodyFraming framing_ = BodyFraming::UntilClose;
  std::uint64_t content_length_ = 0;
  std::span<const char> body_prefix_;
  bool keep_alive_ = false;
  bool te_and_cl_ = false;
  std::vector<std::string_view> conn_tokens_;
  // Used by few responses (HTTP/0.9, folded fields, errors): kept apart, after the members every
  // response touches, and cleared only when rare_used_ says they were used, so a common response
  // reads and writes two cache lines of the per-request parser fewer (cold at 512 connections).
  std::string prefix_;         // an HTTP/0.9 response's first line
  std::string joined_;         // values of folded fields, joined as sent
  std::vector<FoldPos> folds_; // continuation lines
  std::string reason_;         // error_reason()
};

} // namespace balancerd::backend
