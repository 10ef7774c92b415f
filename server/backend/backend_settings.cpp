#include "server/backend/backend_settings.hpp"

namespace balancerd::backend {
namespace {

std::chrono::milliseconds to_ms(directives::Micros us) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(us);
  if (ms.count() == 0 && us.count() > 0) ms = std::chrono::milliseconds(1);
  return ms;
}

} // namespace

BackendSettings BackendSettings::from_worker(const directives::WorkerParams& p,
                                             directives::Micros proxy_timeout,
                                             directives::Micros server_timeout) {
  BackendSettings s;
  directives::Micros io = p.timeout.count() > 0       ? p.timeout
                          : proxy_timeout.count() > 0 ? proxy_timeout
                                                      : server_timeout;
  if (io.count() <= 0) io = std::chrono::seconds(60);
  s.io_timeout = to_ms(io);
  s.connect_timeout = p.connection_timeout_set && p.connection_timeout.count() > 0
                          ? to_ms(p.connection_timeout)
                          : s.io_timeout;
  s.acquire_timeout = p.acquire_set ? to_ms(p.acquire) : std::chrono::milliseconds(0);
  s.ttl = to_ms(p.ttl);
  s.max = p.hmax > 0 ? p.hmax : 0;
  s.smax = p.smax >= 0 ? p.smax : s.max;
  if (s.max > 0 && s.smax > s.max) s.smax = s.max;
  s.min = p.min;
  s.reuse = !p.disablereuse;
  s.tcp_keepalive = p.keepalive;
  s.receive_buffer_size = p.recv_buffer_size;
  s.io_buffer_size = p.io_buffer_size ? p.io_buffer_size : 8192;
  s.response_field_size = p.response_field_size ? p.response_field_size : 8192;
  s.address_ttl = p.is_address_reusable ? p.address_ttl : 0;
  return s;
}

} // namespace balancerd::backend
