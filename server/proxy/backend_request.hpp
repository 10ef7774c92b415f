#pragma once
// The request head mod_proxy_http writes to a backend, built from the client's (possibly rewritten)
// request fields: request line, Host first, the client's fields in order without hop-by-hop ones,
// then what mod_proxy adds (Max-Forwards, Via, Expect, X-Forwarded-*), the body framing and
// Connection. Apache merges an added value into an existing field of the same name in place
// (apr_table_mergen), and so does this.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace balancerd::proxy {

struct Field {
  std::string_view name;
  std::string_view value;
};

enum class ViaMode : unsigned char { Off, On, Full, Block };
enum class BodyFraming : unsigned char { None, Length, Chunked };

struct BackendRequestParams {
  std::string_view method;     // as the client sent it
  std::string_view path_query; // "/path?query" of the backend URL ("*" for OPTIONS *)
  std::string_view host;       // Host value: backend host[:port], or the client's with ProxyPreserveHost
  bool http10 = false;         // env force-proxy-request-1.0

  ViaMode via = ViaMode::Off;
  std::string_view via_value; // "1.1 name:port" or with " (Apache/2.4.71)" for Full

  std::optional<long long> max_forwards; // value to set (already decremented), nullopt: leave

  bool expect_100 = false; // ensure "Expect: 100-Continue"; otherwise any Expect is removed

  bool add_forwarded = false;       // ProxyAddHeaders On for a reverse-proxy request
  std::string_view client_ip;       // X-Forwarded-For
  std::string_view server_hostname; // X-Forwarded-Server

  bool drop_proxy_authorization = false; // r->user set and no Proxy-Chain-Auth

  BodyFraming body = BodyFraming::None;
  std::uint64_t content_length = 0; // for BodyFraming::Length

  bool keep_alive = true;
  std::string_view upgrade; // non-empty: "Connection: Upgrade" + "Upgrade: <value>" (tunnel request)
};

// Appends the head (through the empty line) to `out`.
void build_backend_request(std::string& out, const BackendRequestParams& params,
                           std::span<const Field> client);

// Host header value for a backend: host, bracketed if IPv6, with ":port" unless it is the scheme's
// default port.
void append_host_value(std::string& out, std::string_view host, unsigned port, unsigned default_port);

} // namespace balancerd::proxy
