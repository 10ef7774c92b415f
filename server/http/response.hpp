#pragma once
// Response head serialisation into a reused buffer, in Apache's header order, and the chunked
// transfer-coding writer.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace balancerd::http {

class ResponseHead {
public:
  int status = 200;
  std::string_view reason; // empty: Apache's phrase for status (must outlive serialisation)
  std::optional<std::uint64_t> content_length;
  bool chunked = false; // set by the connection when it frames the body with chunks

  // Fields in the order given; Content-Length/Transfer-Encoding/Connection/Keep-Alive are framing and
  // belong to the connection, so handlers must not add them here.
  void add(std::string_view name, std::string_view value);
  // Like Apache's r->content_type: written last.
  void set_content_type(std::string_view type) { content_type_.assign(type); }
  std::string_view content_type() const noexcept { return content_type_; }
  std::string_view fields() const noexcept { return fields_; }
  // Drops a field added with add() (first match, case-insensitive); returns whether one was there.
  bool remove(std::string_view name);
  // Forget everything but keep the buffers' capacity.
  void clear() noexcept;
  // Release memory when the connection goes idle.
  void shrink() noexcept;

private:
  friend class FieldAppender;
  std::string fields_;
  std::string content_type_;
};

// Adds many fields to a ResponseHead with one growth of its buffer: room for `estimate` bytes
// ("Name: value\r\n" each) is made once, add() writes through a pointer (growing again only past the
// estimate) and the destructor gives back what was not used. A head of a dozen fields paid a resize
// (with its zero fill) per field with add().
class FieldAppender {
public:
  FieldAppender(ResponseHead& head, std::size_t estimate);
  ~FieldAppender();
  FieldAppender(const FieldAppender&) = delete;
  FieldAppender& operator=(const FieldAppender&) = delete;

  // Inline: a call per field paid more in saved registers than the copy itself.
  void add(std::string_view name, std::string_view value) {
    const std::size_t need = name.size() + value.size() + 4;
    if (buf_.size() - used_ < need) grow(need);
    char* p = buf_.data() + used_;
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    p[0] = ':';
    p[1] = ' ';
    p += 2;
    std::memcpy(p, value.data(), value.size());
    p += value.size();
    p[0] = '\r';
    p[1] = '\n';
    used_ += need;
  }

private:
  void grow(std::size_t need);
  std::string& buf_;
  std::size_t used_;
};

enum class ConnectionToken : unsigned char { None, KeepAlive, Close };

// What the connection decided about this response's framing.
struct HeadFraming {
  std::string_view date;   // http_date_now()
  std::string_view server; // Server header value per ServerTokens; empty: no Server header
  ConnectionToken connection = ConnectionToken::None;
  bool keep_alive_header = false; // "Keep-Alive: timeout=T, max=M" (sent when the client asked)
  unsigned keep_alive_timeout = 5;
  unsigned keep_alive_max = 100; // requests left; 0 = unlimited (no "max=")
};

// Appends "HTTP/1.1 ..." through the empty line. Apache's order: Date, Server, the handler's fields,
// Content-Length, Transfer-Encoding, Keep-Alive, Connection, Content-Type.
void serialize_head(std::string& out, const ResponseHead& head, const HeadFraming& framing);

// "HTTP/1.1 100 Continue\r\n\r\n"
inline constexpr std::string_view kContinueLine = "HTTP/1.1 100 Continue\r\n\r\n";

// Chunked transfer coding: size line (hex, CRLF), the data, CRLF; the last chunk is "0\r\n\r\n".
inline constexpr std::string_view kChunkTail = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";
std::size_t format_chunk_size(std::uint64_t n, char (&out)[24]) noexcept;
void append_chunk(std::string& out, std::span<const char> data);

void append_decimal(std::string& out, std::uint64_t n);

} // namespace balancerd::http
