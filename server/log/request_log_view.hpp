#pragma once
// A read-only view of a connection and of a finished (or running) request, as the logs need it. The
// runtime fills it from its own objects without copying: strings are views, lookups are plain
// function pointers with a context pointer (no std::function, no allocation).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace balancerd::log {

// Non-owning "name -> value" lookup (headers, env, notes, cookies, SSL variables). nullopt: not set.
struct Lookup {
  using Fn = std::optional<std::string_view> (*)(const void* ctx, std::string_view name);
  const void* ctx = nullptr;
  Fn fn = nullptr;
  std::optional<std::string_view> operator()(std::string_view name) const {
    if (!fn) return std::nullopt;
    return fn(ctx, name);
  }
};

struct ConnLogView {
  std::string_view peer_ip; // %{c}a: the TCP peer
  std::uint16_t peer_port = 0;
  std::string_view peer_host; // %{c}h: its name if HostnameLookups resolved it, else empty
  std::string_view local_ip;  // %A
  std::uint16_t local_port = 0;
  std::string_view log_id; // %{c}L
  unsigned keepalives = 0; // %k: requests served on this connection before this one
};

struct RequestLogView {
  const ConnLogView* conn = nullptr;

  // Client as the request sees it (mod_remoteip may replace the peer).
  std::string_view client_ip; // %a ("" -> the peer's)
  std::uint16_t client_port = 0;
  std::string_view remote_host;         // %h: resolved name, "" -> client_ip
  std::string_view remote_logname;      // %l (identd): almost always empty -> "-"
  std::optional<std::string_view> user; // %u: nullopt -> "-", "" -> ""

  std::chrono::system_clock::time_point begin; // request received (%t, %{begin:...}t)
  std::chrono::system_clock::time_point end;   // logged (%{end:...}t)
  std::chrono::microseconds duration{0};       // %D %T

  std::string_view request_line; // %r
  std::string_view method;       // %m
  std::string_view protocol;     // %H
  std::string_view path;         // %U
  std::string_view query;        // %q without '?' ("" -> nothing logged)
  std::string_view filename;     // %f ("" -> "-")
  std::string_view handler;      // %R ("" -> "-")
  std::string_view log_id;       // %L ("" -> "-")

  int status = 0;               // final status (%>s)
  int original_status = 0;      // before internal redirects (%<s, %s); 0 -> same as status
  std::uint64_t body_bytes = 0; // %b %B
  std::uint64_t bytes_in = 0;   // %I (request line, headers and body as read)
  std::uint64_t bytes_out = 0;  // %O (status line, headers and body as sent)
  char connection_status = '-'; // %X: 'X' aborted, '+' may be kept alive, '-' will close

  std::string_view server_name;  // %v: the vhost's ServerName
  std::string_view request_host; // %V: per UseCanonicalName ("" -> server_name)
  std::uint16_t server_port = 0; // %p / %{canonical}p
  long pid = 0;                  // %P
  std::uint64_t thread_id = 0;   // %{tid}P / %{hextid}P (pthread id, as Apache prints it)

  Lookup headers_in, headers_out, trailers_in, trailers_out, env, notes, ssl_var;
  std::optional<std::string_view> content_type; // %{Content-Type}o comes from here when set

  // When this request is the last of internal redirects (an ErrorDocument's): the original request.
  // Items that log the original request (%r %U %s %R %D %T %L unless '>', any item with '<') read
  // it, the others this view. nullptr: no redirect, every item reads this view.
  const RequestLogView* original = nullptr;
};

} // namespace balancerd::log
