#pragma once
// What an ap_expr evaluation may read and write about the current request: the request line and
// headers, the response so far (Header expr=, hcheck's REQUEST_STATUS), the environment and notes,
// connection addresses and the server identity. The runtime implements it over its own request
// state; RequestContext below is a ready implementation over plain fields and VarTables, used by
// tests and by any caller that keeps its request state in that shape.
#include "server/expr/var_table.hpp"
#include "server/http/request.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace balancerd::expr {

// Request facts the variables (%{REQUEST_METHOD}, %{TIME_YEAR}...) read. Views must outlive the
// evaluation.
struct RequestFacts {
  std::string_view method;      // REQUEST_METHOD
  std::string_view uri;         // REQUEST_URI: r->uri, the path without the query
  std::string_view query;       // QUERY_STRING (r->args)
  std::string_view protocol;    // SERVER_PROTOCOL ("HTTP/1.1")
  std::string_view the_request; // THE_REQUEST ("GET /x?y HTTP/1.1")
  std::string_view scheme;      // REQUEST_SCHEME ("http" / "https")
  std::string_view filename;    // REQUEST_FILENAME, SCRIPT_FILENAME
  std::string_view path_info;
  std::string_view document_root;
  std::string_view context_prefix;
  std::string_view context_document_root;
  std::string_view document_uri;
  std::string_view handler;
  std::string_view content_type; // r->content_type (the response's)
  std::string_view server_name;
  std::string_view server_admin;
  std::string_view remote_host; // REMOTE_HOST: resolved name, or empty for "use the address"
  // REMOTE_HOST while remote_host is empty: Apache looks the name up only when something asks for it
  // (HostnameLookups On/Double), so the runtime hands a lookup instead of a name. It returns the
  // name or "" (then the address stands) and may block on the resolver; the caller caches. A plain
  // function and its argument: setting it per request costs two stores, no allocation.
  std::string_view (*lookup_remote_host)(void* arg) = nullptr;
  void* lookup_remote_host_arg = nullptr;
  std::string_view remote_user;
  std::string_view auth_type;
  std::string_view request_log_id;
  std::string_view conn_log_id;
  std::string_view useragent_ip; // REMOTE_ADDR (after mod_remoteip)
  std::string_view client_ip;    // CONN_REMOTE_ADDR (the TCP peer)
  std::string_view local_ip;     // Server_Addr for SetEnvIf
  std::string_view server_software = "Apache";
  unsigned server_port = 80;
  unsigned remote_port = 0;
  int status = 0; // REQUEST_STATUS
  bool https = false;
  bool http2 = false;
  bool is_subreq = false;
  std::int64_t request_time_us = 0; // when the request started (microseconds since the epoch)
  std::int64_t now_us = 0;          // fixed clock for tests; 0 reads the system clock
};

class ExprContext {
public:
  virtual ~ExprContext() = default;
  virtual const RequestFacts& facts() const = 0;
  virtual std::optional<std::string_view> request_header(std::string_view name) const = 0;
  // Every request header in order (Header echo, SetEnvIf with a header-name regex).
  virtual void for_each_request_header(void (*fn)(void* arg, std::string_view name, std::string_view value),
                                       void* arg) const = 0;
  virtual std::optional<std::string_view> response_header(std::string_view) const { return std::nullopt; }
  virtual std::optional<std::string_view> env(std::string_view name) const = 0;
  virtual void set_env(std::string_view name, std::string_view value) = 0;
  virtual void unset_env(std::string_view name) = 0;
  virtual std::optional<std::string_view> note(std::string_view) const { return std::nullopt; }
  virtual void set_note(std::string_view, std::string_view) {}
  virtual std::optional<std::string_view> ssl_var(std::string_view) const { return std::nullopt; }
  // The OS environment (osenv(), PassEnv); getenv by default.
  virtual std::optional<std::string_view> os_env(std::string_view name) const;
  // A request header an expression looked at through http()/%{HTTP:...}: Apache adds it to Vary.
  virtual void add_vary(std::string_view) {}
};

// ExprContext over fields and tables. Request headers come from `headers_in` if set, else from
// `raw_headers` (the parser's view).
class RequestContext : public ExprContext {
public:
  RequestFacts info;
  const VarTable* headers_in = nullptr;
  std::span<const http::Header> raw_headers;
  const VarTable* headers_out = nullptr;
  const VarTable* err_headers_out = nullptr;
  VarTable* environment = nullptr; // subprocess_env; may be null (then empty, writes dropped)
  VarTable* notes = nullptr;
  const VarTable* ssl_vars = nullptr;
  const VarTable* os_environment = nullptr; // null: the process environment
  VarTable* vary = nullptr;                 // names collected for Vary

  const RequestFacts& facts() const override { return info; }
  std::optional<std::string_view> request_header(std::string_view name) const override;
  void for_each_request_header(void (*fn)(void*, std::string_view, std::string_view),
                               void* arg) const override;
  std::optional<std::string_view> response_header(std::string_view name) const override;
  std::optional<std::string_view> env(std::string_view name) const override;
  void set_env(std::string_view name, std::string_view value) override;
  void unset_env(std::string_view name) override;
  std::optional<std::string_view> note(std::string_view name) const override;
  void set_note(std::string_view name, std::string_view value) override;
  std::optional<std::string_view> ssl_var(std::string_view name) const override;
  std::optional<std::string_view> os_env(std::string_view name) const override;
  void add_vary(std::string_view name) override;
};

} // namespace balancerd::expr
