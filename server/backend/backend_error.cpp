#include "server/backend/backend_error.hpp"

namespace balancerd::backend {

std::string_view backend_error_name(BackendError e) noexcept {
  switch (e) {
  case BackendError::None:
    return "ok";
  case BackendError::Resolve:
    return "resolve failed";
  case BackendError::Refused:
    return "connection refused";
  case BackendError::ConnectTimeout:
    return "connect timeout";
  case BackendError::ConnectFailed:
    return "connect failed";
  case BackendError::Timeout:
    return "timeout";
  case BackendError::Eof:
    return "closed by backend";
  case BackendError::Reset:
    return "connection reset";
  case BackendError::Io:
    return "i/o error";
  case BackendError::Aborted:
    return "aborted";
  case BackendError::AcquireTimeout:
    return "acquire timeout";
  case BackendError::Tls:
    return "tls handshake failed";
  }
  return "?";
}

} // namespace balancerd::backend
