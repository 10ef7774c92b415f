#pragma once
// What went wrong on a backend connection, in the terms the proxy engine needs to pick Apache's
// answer: connect failures put the worker in error (503), a timeout or a close while reading the
// response head is a 502 "Error reading from remote server", an acquire timeout is a 503.
#include <string_view>

namespace balancerd::backend {

enum class BackendError : unsigned char {
  None,
  Resolve,        // the host name did not resolve
  Refused,        // connect: ECONNREFUSED (or ENOENT/ECONNREFUSED on a unix socket)
  ConnectTimeout, // connect did not finish within connectiontimeout
  ConnectFailed,  // connect: any other error (unreachable, ...)
  Timeout,        // a read or write did not finish within timeout=
  Eof,            // the backend closed the connection (a read returned end of stream)
  Reset,          // ECONNRESET / EPIPE
  Io,             // any other socket error
  Aborted,        // the connection was closed locally while the operation was pending
  AcquireTimeout, // the pool stayed full for acquire= (Apache: AH00941, 503)
  Tls,            // TLS handshake or peer check failed, or an https endpoint without a TLS context. apache2
                  // answers "500 Proxy Error" with the reason "Error during SSL Handshake with remote server"
                  // (Connection: close; AH00898). Not a connect error: the TCP connect worked.
};

// A short lower-case name for logs and test messages ("connect timeout", ...).
std::string_view backend_error_name(BackendError e) noexcept;

// Errors from connecting (the worker goes into error state in Apache) versus later ones.
constexpr bool is_connect_error(BackendError e) noexcept {
  return e == BackendError::Resolve || e == BackendError::Refused || e == BackendError::ConnectTimeout ||
         e == BackendError::ConnectFailed;
}

} // namespace balancerd::backend
