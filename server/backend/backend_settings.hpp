#pragma once
// The effective connection settings of one worker, with Apache's fallbacks already applied
// (connectiontimeout -> timeout -> ProxyTimeout -> Timeout), in the units the pool uses.
#include <chrono>
#include <cstddef>
#include <memory>

#include "directives/model/proxy_worker.hpp"
#include "server/backend/backend_tls.hpp"

namespace balancerd::backend {

struct BackendSettings {
  std::chrono::milliseconds connect_timeout{60000};
  std::chrono::milliseconds io_timeout{60000}; // each read or write (Apache's timeout=)
  // acquire=: how long acquire() waits when the pool is at max; zero = wait without a limit.
  std::chrono::milliseconds acquire_timeout{0};
  // ttl=: idle connections older than this are closed instead of reused; zero = no limit.
  std::chrono::milliseconds ttl{0};
  // Connections (busy + idle) this thread's pool may hold; 0 = no limit. See from_worker.
  int max = 0;
  // Idle connections beyond smax are closed once older than ttl (Apache's soft maximum).
  int smax = 0;
  int min = 0;                         // kept for status output; connections are created lazily (as Apache's)
  bool reuse = true;                   // !disablereuse
  bool tcp_keepalive = false;          // keepalive=On: SO_KEEPALIVE
  std::size_t receive_buffer_size = 0; // receivebuffersize= / ProxyReceiveBufferSize; 0 = OS default
  std::size_t io_buffer_size = 8192;   // the read buffer of each connection
  std::size_t response_field_size = 8192;
  int address_ttl = -1; // seconds a resolved address is kept; -1 = forever, 0 = resolve every connect
  // For https endpoints: the worker's client TLS context (the engine builds it from SSLProxy* once per
  // worker and config generation). Null for an https endpoint: acquire fails with BackendError::Tls.
  std::shared_ptr<const BackendTlsContext> tls;

  // Applies Apache's fallbacks. proxy_timeout: ProxyTimeout if set (else zero); server_timeout: Timeout.
  // max: an explicit max= is applied per io thread as given (an io thread plays the part of one of
  // Apache's child processes). Without max= Apache's default (ThreadsPerChild) never makes a request
  // wait, since each of its threads holds at most one connection at a time; here an io thread runs
  // many requests at once, so the default is no limit.
  static BackendSettings from_worker(const directives::WorkerParams& p, directives::Micros proxy_timeout,
                                     directives::Micros server_timeout);

  bool operator==(const BackendSettings&) const = default;
};

} // namespace balancerd::backend
