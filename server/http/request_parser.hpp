#pragma once
// Incremental HTTP/1.1 request-head parser (RFC 9112) that answers malformed input the way Apache
// 2.4 does (status and error note), measured against the real server: see
// server/tests/http_request_parser_test.cpp for the table of cases.
//
// Feed it the bytes received so far for the current request, from the first byte (the buffer may
// move between calls: the parser keeps offsets, not pointers). It scans only new bytes for line ends
// and enforces LimitRequestLine/FieldSize/Fields as lines complete (or grow too long), and parses the
// whole head once the empty line arrives. Views in the resulting Request point into the buffer; obs-fold
// is joined in place, so the buffer must be writable.
#include <cstddef>
#include <string_view>

#include "server/http/protocol_options.hpp"
#include "server/http/request.hpp"

namespace balancerd::http {

struct ParseError {
  int status = 0;          // 400, 414, 417, 501
  std::string_view note;   // Apache's error note for the page (static text), may be empty
  std::string_view expect; // the offending Expect value for 417 (points into the buffer)
};

// Notes Apache puts in the 400 page for limit violations.
inline constexpr std::string_view kNoteFieldTooLong = "Size of a request header field exceeds server limit.";
inline constexpr std::string_view kNoteTooManyFields =
    "The number of request header fields exceeds this server's limit.";

class RequestParser {
public:
  enum class Result : unsigned char { NeedMore, Done, Error };

  explicit RequestParser(const ProtocolOptions* options = nullptr) noexcept;
  void set_options(const ProtocolOptions* options) noexcept;

  // Forget the current request (call before parsing the next one on a keep-alive connection).
  void reset() noexcept;

  // data[0..len) are all bytes received for this request so far. On Done, head_size() bytes are the
  // head (body bytes, or a pipelined request, follow). On Error, error() says what to answer.
  Result parse(char* data, std::size_t len, Request& req);

  std::size_t head_size() const noexcept { return head_end_; }
  const ParseError& error() const noexcept { return error_; }
  // True until a whole request line has arrived: Apache closes silently when a client stalls here,
  // and answers 408 when it stalls later, in the headers.
  bool in_request_line() const noexcept { return in_request_line_; }
  // True once any byte other than the blank lines allowed before a request has arrived.
  bool started() const noexcept { return started_; }

private:
  Result fail(int status, std::string_view note = {}) noexcept;
  Result finish(char* data, Request& req);
  bool parse_request_line(char* data, Request& req);
  bool parse_target(Request& req);

  const ProtocolOptions* opts_;
  std::size_t scan_ = 0;
  std::size_t line_start_ = 0;
  std::size_t rl_start_ = 0, rl_end_ = 0, rl_next_ = 0;
  std::size_t head_end_ = 0;
  std::size_t fields_ = 0;
  std::size_t blank_lines_ = 0;
  bool in_request_line_ = true;
  bool started_ = false;
  ParseError error_;
};

// Splits and checks a Host value or URI authority the way Apache's strict host check does. Returns
// false for a value Apache answers with 400. host excludes the port and any trailing dots.
bool split_host(std::string_view value, bool strict, std::string_view& host, std::string_view& port) noexcept;

} // namespace balancerd::http
