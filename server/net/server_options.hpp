#pragma once
// What the HTTP/1.1 listener needs from the configuration: where to listen, the connection-level
// directives (Timeout, KeepAlive, MaxKeepAliveRequests, KeepAliveTimeout), request limits, and what
// server-generated pages say about the server. Defaults are Apache's. Filled from the config model.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/error_page.hpp"
#include "server/http/protocol_options.hpp"
#include "server/http/read_timeout.hpp"

namespace balancerd::net {

class TlsContexts; // tls_context.hpp

struct ListenAddress {
  std::string host; // numeric IPv4 or IPv6 ("127.0.0.1", "::1"); empty: all interfaces (IPv6 any, dual-stack)
  unsigned short port = 0; // 0: an ephemeral port (tests); read it back with HttpServer::ports()
};

// RequestReadTimeout is per server. Its header stage must be chosen before any Host header is read,
// so it is the connection's base server's: the vhost the local address selects (the first of its
// name chain), or the main server; whether mod_reqtimeout watches the connection at all is also
// that server's (RequestReadTimeouts::on). The body stage is the request's name-based vhost's
// (Exchange::set_body_read_timeout). Built once per configuration, asked once per connection.
class ReadTimeoutsByAddress {
public:
  virtual ~ReadTimeoutsByAddress() = default;
  // `local_ip` is numeric, as PeerInfo::local_ip; the result lives as long as this object.
  virtual const http::RequestReadTimeouts& for_local(std::string_view local_ip,
                                                     unsigned short port) const = 0;
};

struct ConnectionOptions {
  std::chrono::milliseconds timeout{60000};                          // Timeout
  bool keep_alive = true;                                            // KeepAlive
  unsigned max_keep_alive_requests = 100;                            // MaxKeepAliveRequests (0 = unlimited)
  std::chrono::milliseconds keep_alive_timeout{5000};                // KeepAliveTimeout
  http::ProtocolOptions protocol;                                    // LimitRequest*, HttpProtocolOptions
  http::RequestReadTimeouts request_read;                            // RequestReadTimeout (mod_reqtimeout)
  std::uint64_t limit_request_body = http::kDefaultLimitRequestBody; // server-wide LimitRequestBody
  std::string server_header = "Apache/2.4.71 (Debian)";              // per ServerTokens (http::server_banner)
  http::ServerSignature signature = http::ServerSignature::Off;
  std::string server_admin;              // ServerAdmin
  std::string server_name = "localhost"; // for the signature when the request had no usable Host
  // Per local address when servers differ in RequestReadTimeout; null: request_read everywhere.
  std::shared_ptr<const ReadTimeoutsByAddress> request_read_by_address;
  // TLS toward clients (mod_ssl): the contexts of the servers with SSLEngine on; null: all plaintext.
  std::shared_ptr<const TlsContexts> tls;
};

struct ServerOptions {
  std::vector<ListenAddress> listen;
  unsigned threads = 0; // io_context threads; 0: one per hardware thread
  int backlog = 511;    // ListenBacklog
  ConnectionOptions connection;
};

} // namespace balancerd::net
