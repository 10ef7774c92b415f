#pragma once
// Slot for mod_proxy and its family (proxy_http, proxy_balancer, lbmethod_*, proxy_hcheck, proxy_wstunnel,
// proxy_ftp, lbmethod_heartbeat, watchdog). One ProxyServerConf per server (main or <VirtualHost>), as
// Apache builds it while reading: workers and balancers are defined per server and shared by URL
// within it; the runtime merges a vhost with the main server (BalancerInherit, ProxyPassInherit).
#include "directives/model/proxy_balancer.hpp"
#include "directives/model/proxy_worker.hpp"
#include "directives/model/source_file.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace balancerd::directives {

// ProxyPass flags (bare words and mapping=).
struct ProxyPassFlags {
  bool nocanon = false;
  bool interpolate = false;
  bool noquery = false;
  bool map_encoded = false; // mapping=encoded
  bool map_servlet = false; // mapping=servlet
  bool operator==(const ProxyPassFlags&) const = default;
};

// One ProxyPass / ProxyPassMatch rule.
struct ProxyPassRule {
  std::string path;       // the local path or regex ("fake"); inside <Location> the section's path
  bool regex = false;     // ProxyPassMatch, "ProxyPass ~", or a wildcard <Location> path
  std::string url;        // the target as given ("real" as Apache keeps it: "unix:...|" removed), or "!"
  bool exclusion = false; // URL "!": serve locally, stop searching
  ProxyPassFlags flags;
  std::string balancer; // target balancer name ("balancer://app") when the URL is one
  // Otherwise the worker Apache defined or shared for it: an index into the same server's
  // ProxyServerConf::workers. (Apache looks the worker up again per request by the final URL, longest
  // prefix first, $n-matching for ProxyPassMatch workers; for a plain rule that finds this one.)
  std::optional<std::size_t> worker;
  SourceFile file;
  unsigned line = 0;
  bool operator==(const ProxyPassRule&) const = default;
};

// ProxyPassReverse, ProxyPassReverseCookiePath, ProxyPassReverseCookieDomain entries.
struct ReverseRule {
  std::string fake; // local side (path, or cookie path/domain to put)
  std::string real; // backend side (URL, or cookie path/domain to replace)
  bool interpolate = false;
  bool operator==(const ReverseRule&) const = default;
};

enum class ProxyVia { Off, On, Full, Block };
enum class ProxyBadHeader { IsError, Ignore, StartBody };
enum class ProxyStatusOpt { Off, On, Full };

// ProxyRemote / ProxyRemoteMatch.
struct ProxyRemote {
  std::string scheme; // "*", a scheme, a partial URL, or a regex (use_regex)
  std::string url;    // the remote proxy "protocol://host[:port]"
  bool use_regex = false;
  std::string creds; // optional third argument as given (Apache sends "Basic " + its base64)
  bool operator==(const ProxyRemote&) const = default;
};

// A named ProxyHCTemplate.
struct HcTemplate {
  std::string name;
  HealthCheckParams params{HcMethod::Tcp}; // Apache starts a template with method TCP
  bool operator==(const HcTemplate&) const = default;
};

// A named ProxyHCExpr: the ap_expr source as given (parsed again by the runtime).
struct HcCondition {
  std::string name;
  std::string expr;
  bool operator==(const HcCondition&) const = default;
};

struct ProxyServerConf {
  std::vector<Worker> workers;      // server-level workers (ProxyPass, <Proxy url>), definition order
  std::vector<Balancer> balancers;  // definition order; members inside
  std::vector<ProxyPassRule> rules; // server/vhost-level ProxyPass / ProxyPassMatch, config order

  std::optional<bool> requests;              // ProxyRequests
  std::optional<ProxyVia> via;               // ProxyVia
  std::optional<ProxyBadHeader> bad_header;  // ProxyBadHeader
  std::optional<ProxyStatusOpt> status;      // ProxyStatus
  std::optional<Micros> timeout;             // ProxyTimeout
  std::optional<std::size_t> io_buffer_size; // ProxyIOBufferSize (0 given = 8192)
  std::optional<int> recv_buffer_size;       // ProxyReceiveBufferSize
  std::optional<long> max_forwards;          // ProxyMaxForwards (Apache's default -1)
  std::optional<std::string> source_address; // ProxySourceAddress
  std::optional<std::string> domain;         // ProxyDomain
  std::optional<int> balancer_growth;        // BalancerGrowth (default 5)
  bool balancer_persist = false;             // BalancerPersist (not inherited)
  std::optional<bool> balancer_inherit;      // BalancerInherit (default On)
  std::optional<bool> pass_inherit;          // ProxyPassInherit (default On)
  bool map_encoded_one = false;              // some ProxyPass has mapping=encoded
  bool map_encoded_all = true;               // every ProxyPass has mapping=encoded
  std::vector<std::string> blocked;          // ProxyBlock words (no duplicates, case-insensitive)
  std::vector<std::string> no_proxy;         // NoProxy words
  std::vector<ProxyRemote> remotes;          // ProxyRemote / ProxyRemoteMatch

  // mod_proxy_hcheck (per server: a vhost does not see the main server's templates and exprs).
  std::vector<HcTemplate> hc_templates;   // looked up case-insensitively, first wins
  std::vector<HcCondition> hc_conditions; // same name (any case) replaces
  std::optional<int> hc_tpsize;           // ProxyHCTPsize (global)
  // mod_lbmethod_heartbeat / mod_watchdog (global).
  std::optional<std::string> heartbeat_storage; // resolved against DefaultRuntimeDir
  std::optional<Micros> watchdog_interval;

  bool operator==(const ProxyServerConf&) const = default;
};

// Per-directory settings: what a <Location>, <Proxy>... (or the server level itself) holds.
struct ProxyDirConf {
  std::optional<ProxyPassRule> pass;          // ProxyPass inside <Location>/<Proxy>: one, last wins
  std::vector<ReverseRule> reverse;           // ProxyPassReverse, config order
  std::vector<ReverseRule> cookie_paths;      // ProxyPassReverseCookiePath
  std::vector<ReverseRule> cookie_domains;    // ProxyPassReverseCookieDomain
  std::optional<bool> preserve_host;          // ProxyPreserveHost
  std::optional<bool> error_override;         // ProxyErrorOverride On|Off
  std::vector<int> error_override_codes;      // ...and its status list, sorted
  std::optional<bool> add_headers;            // ProxyAddHeaders
  std::optional<bool> continue_100;           // Proxy100Continue
  std::optional<bool> interpolate_env;        // ProxyPassInterpolateEnv
  std::optional<bool> ws_fallback_to_http;    // ProxyWebsocketFallbackToProxyHttp
  std::optional<bool> ftp_list_on_wildcard;   // ProxyFtpListOnWildcard
  std::optional<bool> ftp_escape_wildcards;   // ProxyFtpEscapeWildcards
  std::optional<std::string> ftp_dir_charset; // ProxyFtpDirCharset
  // Set on the DirConf of a <Proxy>/<ProxyMatch> section.
  bool is_proxy_section = false;
  bool path_is_fnmatch = false; // <Proxy> path with wildcards
  bool operator==(const ProxyDirConf&) const = default;
};

} // namespace balancerd::directives
