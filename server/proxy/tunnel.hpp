#pragma once
// mod_proxy_http's protocol upgrades (WebSocket and any other `Upgrade:` protocol, spec §7.8): which
// protocol the backend may be asked for, whether its 101 switched to that one, the 101 head the client
// gets, and the byte tunnel between the two connections after it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "server/proxy/client_response.hpp"

namespace boost::asio {
class io_context;
}
namespace balancerd::net {
class RawStream;
}
namespace balancerd::backend {
class BackendConnection;
}

namespace balancerd::proxy {

// The protocol to ask the backend for: the client's Upgrade value when the worker allows it (its
// upgrade= list, "*" for any; a ws:// or wss:// worker without one allows WebSocket), else empty (the
// Upgrade is not forwarded). The whole client value must be one token of the list, case-insensitively.
std::string_view allowed_upgrade(std::string_view client_upgrade, std::string_view worker_upgrade,
                                 std::string_view scheme) noexcept;

// A backend's 101 must name the protocol asked for (case-insensitively): empty when it does, else
// the reason of Apache's 502 ("Unexpected Upgrade: h2c (expecting websocket)", "n/a" for none).
std::string upgrade_mismatch(std::string_view asked, std::span<const Field> backend_fields);

// The 101 head as Apache relays it (an interim response: no Date or Server of its own, no mod_headers
// output filter): the backend's reason and fields without the hop-by-hop ones (Connection and what it
// names, Keep-Alive, Proxy-Connection, Proxy-Authenticate, TE, Trailer, Upgrade; Content-Length when
// Transfer-Encoding is there), ProxyPassReverse applied, Set-Cookie moved last, then the proxy's own
// Via when given (ProxyVia On/Full: a field of its own, after the backend's), "Connection: Upgrade"
// and the backend's "Upgrade".
void build_upgrade_head(std::string& out, std::string_view reason, std::span<const Field> backend_fields,
                        const ReverseMapper* reverse, std::string_view via = {});

struct TunnelResult {
  std::uint64_t to_backend = 0; // client bytes relayed to the backend
  std::uint64_t to_client = 0;  // backend bytes relayed to the client (the 101 head excluded)
  bool timed_out = false;       // nothing moved either way for the idle timeout
};

// Relays bytes both ways between the upgraded client connection and the backend connection. When the
// backend closes, the client's side is half-closed and the tunnel waits for the client to finish (a
// byte from it then ends the tunnel: the backend is gone); when the client closes, the backend's side
// is half-closed (plain TCP) and the tunnel waits for the backend to finish. Both done, a write
// failed, or nothing moved for `idle` (0: never): the tunnel ends. `done` runs once; the owner then closes
// both connections (the backend connection is never reused). Both must outlive the tunnel.
class Tunnel {
public:
  using Done = std::function<void(const TunnelResult&)>;
  Tunnel(boost::asio::io_context& io, net::RawStream& client, backend::BackendConnection& backend,
         std::chrono::milliseconds idle);
  ~Tunnel(); // a tunnel destroyed before its end calls nothing back
  Tunnel(const Tunnel&) = delete;
  Tunnel& operator=(const Tunnel&) = delete;

  // backend_pending: backend bytes that came with the 101 head (sent to the client first).
  void start(std::string backend_pending, Done done);

private:
  struct Impl;
  std::shared_ptr<Impl> impl_; // shared with pending handlers
};

} // namespace balancerd::proxy
