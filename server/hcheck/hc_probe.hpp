#pragma once
// One health check on the wire: resolve, connect (within the connect timeout), and for HTTP methods
// send the request and read the answer (within the I/O timeout). Runs on the caller's io_context;
// the completion handler is called exactly once, on that context. Asio stays in the .cpp.
#include "directives/model/proxy_worker.hpp"
#include "server/hcheck/hc_response.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace balancerd::hcheck {

struct HcProbeSpec {
  std::string host; // name or address literal (no brackets)
  std::uint16_t port = 0;
  std::string uds_path; // set: connect to this Unix socket instead (a "unix:/path|http://..." worker)
  std::string request;  // bytes to send; empty: connect only (TCP)
  bool read_body = false;
  std::chrono::microseconds connect_timeout{std::chrono::seconds(60)};
  std::chrono::microseconds io_timeout{std::chrono::seconds(60)};
};

struct HcProbeResult {
  enum class Outcome {
    Connected,     // connect-only probe succeeded
    ConnectFailed, // name did not resolve, refused, or connect timed out
    Answered,      // bytes were read (see response: the head may still be incomplete)
    NoAnswer,      // connected, then closed/timed out/failed before any byte
  };
  Outcome outcome = Outcome::ConnectFailed;
  int os_error = 0;    // errno of the failure (APR_TIMEUP, 70007, for a timeout, as apache2 logs it)
  std::string address; // "ip:port" last tried ("" if the name did not resolve)
  HcResponseParser response{false};
};

// Starts the probe; `done` runs on `io` (not at all if the io_context is stopped first).
void start_probe(boost::asio::io_context& io, HcProbeSpec spec, std::function<void(HcProbeResult&)> done);

} // namespace balancerd::hcheck
