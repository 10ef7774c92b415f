#pragma once
// Writing a small generated body (redirect page, error text, TRACE echo, status page) whose bytes
// must outlive the asynchronous write: the string is moved into a shared buffer that the write's
// completion callback owns. A thread_local buffer would be overwritten by the next request handled
// on the same thread while this write is still in flight.
#include <memory>
#include <string>

#include "server/net/exchange.hpp"

namespace balancerd::handlers {

// `streamed`: send the body as a piece followed by the end (chunked for HTTP/1.1, as Apache streams
// some generated pages); otherwise the caller has set content_length.
inline void write_owned(net::Exchange& ex, std::string body, bool streamed = false) {
  auto buf = std::make_shared<std::string>(std::move(body));
  std::span<const char> data(buf->data(), buf->size());
  if (!streamed) {
    ex.write(data, true, [buf](bool) {});
    return;
  }
  ex.write(data, false, [buf, &ex](bool ok) {
    if (ok) ex.write({}, true, {});
  });
}

} // namespace balancerd::handlers
