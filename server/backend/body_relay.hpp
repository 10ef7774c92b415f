#pragma once
// Streams a backend response body to the client exchange with backpressure: the next piece is read
// from the backend only after the previous write to the client completed, so at most one read
// buffer of body is in flight per request. Pieces are written as they are decoded (data points into
// the connection's read buffer, which is not reused until the write is done).
#include <cstdint>
#include <functional>
#include <span>

#include "server/backend/backend_connection.hpp"
#include "server/backend/response_body.hpp"
#include "server/net/exchange.hpp"

namespace balancerd::backend {

struct RelayResult {
  bool complete = false;                     // the whole body was relayed and the last write done
  bool client_failed = false;                // a write to the client failed (client gone)
  bool body_error = false;                   // bad chunk framing or a body cut short by the backend
  BackendError backend = BackendError::None; // the read error that ended the relay, if any
  std::uint64_t bytes = 0;                   // body bytes relayed
  // The connection may go back to the pool: body complete and no stray bytes after it.
  bool reusable = false;
};

// One relay per request, owned by the engine's request state (no allocation per request: the
// callbacks capture only `this`).
class BodyRelay {
public:
  using DoneCallback = std::function<void(const RelayResult&)>;

  // prefix: body bytes held elsewhere (ResponseParser::body_prefix(), copied by the engine if it must
  // outlive the parser); buffered: bytes already read after the head, still in conn's read buffer.
  // The relay ends the response (write with last=true) only when the body completed; on errors it
  // stops and reports, and the engine decides (Apache aborts the client connection mid-body).
  void start(BackendConnection& conn, ResponseBody& body, std::span<const char> prefix,
             std::span<const char> buffered, net::Exchange& ex, DoneCallback done);

private:
  void pump();
  void read_more();
  void finish();
  void report();
  bool reusable_after_body() const noexcept;

  BackendConnection* conn_ = nullptr;
  ResponseBody* body_ = nullptr;
  net::Exchange* ex_ = nullptr;
  DoneCallback done_;
  std::span<const char> pending_; // input not yet decoded
  std::span<const char> next_;    // buffered bytes to decode after the prefix
  RelayResult result_;
};

} // namespace balancerd::backend
