#pragma once
// Reading a health check's answer: the status line (Apache logs it as AH03254 and judges the check
// by its code), the header fields (resp() in an hcexpr) and, for GET, the body (hc('body')),
// de-chunked. Fed with whatever the socket returns; no Asio here so it is tested on its own.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace balancerd::hcheck {

class HcResponseParser {
public:
  // The body is kept up to this many bytes (a health page is small; the rest is read and dropped).
  static constexpr std::size_t kMaxBody = 1 << 20;
  static constexpr std::size_t kMaxHead = 64 * 1024;

  explicit HcResponseParser(bool read_body) : read_body_(read_body) {}

  // Consumes bytes; returns true once the response is complete (or the head is malformed or too
  // large: then head_complete() stays false).
  bool feed(std::string_view data);
  // The peer closed: a body delimited by the connection ends here.
  void finish() { done_ = true; }

  bool done() const { return done_; }
  bool head_complete() const { return head_complete_; }
  // The first line as received, without CR LF ("" if none arrived).
  const std::string& status_line() const { return status_line_; }
  // The code of a line "HTTP/x.y NNN ..."; 0 when the line does not parse that way.
  int status() const { return status_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  const std::string& body() const { return body_; }

  // "HTTP/1.1 200 OK" -> 200; 0 otherwise.
  static int parse_status_line(std::string_view line);

private:
  void parse_head(std::string_view head);
  bool feed_body(std::string_view data);
  bool feed_chunked(std::string_view data);
  void keep(std::string_view data);

  bool read_body_;
  bool done_ = false;
  bool head_complete_ = false;
  std::string head_;
  std::string status_line_;
  int status_ = 0;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
  enum class BodyMode { None, Length, Chunked, UntilClose } mode_ = BodyMode::None;
  std::size_t remaining_ = 0; // Length: bytes left; Chunked: bytes left in the current chunk
  // Chunked framing state.
  enum class ChunkState { Size, Data, DataCrlf, Trailer } chunk_state_ = ChunkState::Size;
  std::string line_;
};

} // namespace balancerd::hcheck
