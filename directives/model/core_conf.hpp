#pragma once
// Slot for core, http_core, the MPMs, so, version, unixd: server-level and per-directory settings.
// An unset optional means "not given here": the runtime merges vhost over main server and sections
// over their parents, as Apache's merge functions do.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace balancerd::directives {

// LogLevel: global level and per-module levels (key: module id, "proxy_module"). Apache's numbers:
// emerg=0 ... warn=4 ... debug=7, trace1..trace8 = 8..15.
struct LogLevelConf {
  std::optional<int> level;
  std::map<std::string, int> modules;
  bool operator==(const LogLevelConf&) const = default;
};

// One Listen directive.
struct Listener {
  std::string host; // "" for all interfaces, "127.0.0.1", "::1" (no brackets)
  std::uint16_t port = 0;
  std::string protocol; // as given ("http", "https"), or "" (runtime: https for 443, else http)
  std::string file;
  unsigned line = 0;
  bool operator==(const Listener&) const = default;
};

// One address of a <VirtualHost>: "*", "_default_", an IP or a host name, and a port.
struct VhostAddress {
  std::string text;                  // as written: "127.0.0.1:28080", "*:80", "[::1]:443"
  std::string host;                  // "*" for * and _default_, IP without brackets, or the name as written
  std::optional<std::uint16_t> port; // nullopt: any port ("*" or no port given)
  bool operator==(const VhostAddress&) const = default;
};

struct ErrorDocument {
  int status = 0;
  std::string action; // URL, path, or quoted text (the leading '"' kept, as Apache does); "default"
  bool operator==(const ErrorDocument&) const = default;
};

struct MutexConf {
  std::string name;      // "default", "proxy-balancer-shm", "*"...
  std::string mechanism; // "default", "file", "sysvsem", "none"...
  std::string dir;       // for file-based mechanisms
  bool operator==(const MutexConf&) const = default;
};

// The MPM tuning directives: accepted, not used by balancerd's threading (NoEffect); kept for -S
// and for the warnings Apache prints about them.
struct MpmConf {
  std::optional<int> start_servers, server_limit, thread_limit, threads_per_child, max_request_workers,
      min_spare_threads, max_spare_threads, min_spare_servers, max_spare_servers, max_connections_per_child,
      async_request_worker_factor;
  bool operator==(const MpmConf&) const = default;
};

struct CoreServerConf {
  // Names.
  std::optional<std::string> server_name;   // as given: "[scheme://]host[:port]"
  std::optional<std::string> server_scheme; // from "https://host"
  std::optional<std::uint16_t> server_port; // from "host:port"
  std::vector<std::string> aliases;         // ServerAlias words in order (wildcards included)
  std::optional<std::string> server_admin;
  std::optional<std::string> document_root; // absolute (relative paths resolved against ServerRoot)
  std::vector<VhostAddress> addresses;      // <VirtualHost> addresses (empty for the main server)

  // Connections.
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<bool> keep_alive;
  std::optional<std::chrono::milliseconds> keep_alive_timeout;
  std::optional<int> max_keep_alive_requests;
  std::optional<int> limit_request_line, limit_request_field_size, limit_request_fields;
  std::optional<bool> http_protocol_strict, http_protocol_register_methods, http_protocol_allow_09;
  std::optional<std::string> trace_enable; // "on", "off", "extended"
  std::vector<std::string> protocols;      // Protocols, lower-cased, in order
  std::optional<bool> protocols_honor_order;
  std::optional<bool> merge_slashes;
  std::optional<std::string> allow_encoded_slashes; // "on", "off", "nodecode"

  // Logging and files.
  std::optional<std::string> error_log; // absolute path, "|pipe" or "syslog[:facility]"
  std::optional<std::string> error_log_format;

  // Main server only (Apache: global settings).
  std::vector<Listener> listeners;
  std::optional<std::string> server_tokens; // "Prod", "Major", "Minor", "Min", "OS", "Full"
  std::optional<std::string> pid_file;      // absolute
  std::optional<std::string> user, group;
  std::vector<MutexConf> mutexes;
  std::optional<std::string> mpm; // "event", "worker" or "prefork": the loaded MPM
  MpmConf mpm_conf;
  std::optional<int> grace_period_seconds; // GracefulShutdownTimeout
  std::optional<std::string> listen_backlog;

  bool operator==(const CoreServerConf&) const = default;
};

struct CoreDirConf {
  LogLevelConf log_level;
  std::optional<std::string> server_signature;    // "on", "off", "email"
  std::optional<std::string> options;             // Options line as given (runtime has no file serving yet)
  std::vector<std::string> allow_override;        // AllowOverride words ("None", "All", "FileInfo"...)
  std::map<int, ErrorDocument> error_documents;   // by status
  std::optional<std::string> set_handler;         // "none" clears
  std::optional<std::string> add_default_charset; // "Off", "On" (iso-8859-1) or a charset
  std::optional<std::string> use_canonical_name;  // "on", "off", "dns"
  std::optional<std::string> hostname_lookups;    // "on", "off", "double"
  std::optional<std::int64_t> limit_request_body;
  std::optional<bool> etag_none;
  std::optional<std::string> default_type;
  std::optional<std::string> force_type;
  std::optional<std::string> accept_path_info; // AcceptPathInfo: "on", "off", "default" (lower case)

  bool operator==(const CoreDirConf&) const = default;
};

} // namespace balancerd::directives
