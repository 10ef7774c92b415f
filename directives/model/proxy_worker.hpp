#pragma once
// A backend worker as mod_proxy defines it at config time: its normalised URL and every parameter
// (ProxyPass / BalancerMember / ProxySet / <Proxy url k=v>), with Apache's defaults and a note of
// what was set explicitly. Plain data: the runtime builds connection pools and shared state from it.
#include "directives/model/source_file.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace balancerd::directives {

// Worker status bits, Apache's PROXY_WORKER_* values (the status= letters in parentheses).
enum WorkerStatus : unsigned {
  kWorkerInitialized = 0x0001,  // O
  kWorkerIgnoreErrors = 0x0002, // I
  kWorkerDrain = 0x0004,        // N
  kWorkerGeneric = 0x0008,      // G
  kWorkerInShutdown = 0x0010,   // U
  kWorkerDisabled = 0x0020,     // D
  kWorkerStopped = 0x0040,      // S
  kWorkerInError = 0x0080,      // E
  kWorkerHotStandby = 0x0100,   // H
  kWorkerFree = 0x0200,         // F
  kWorkerHcFail = 0x0400,       // C
  kWorkerHotSpare = 0x0800,     // R
};

// hcmethod= values, in Apache's order (a template's default method is Tcp, a worker's None).
enum class HcMethod { None, Tcp, Options, Head, Get, Cping, Provider, Options11, Head11, Get11 };

enum class FlushPackets { Off, On, Auto };

using Micros = std::chrono::microseconds;

// Health-check settings (mod_proxy_hcheck), on a worker or in a ProxyHCTemplate.
struct HealthCheckParams {
  HcMethod method = HcMethod::None;
  Micros interval = std::chrono::seconds(30);
  int passes = 1;
  int fails = 1;
  std::string uri;  // hcuri
  std::string expr; // hcexpr: name of a ProxyHCExpr of the same server
  bool operator==(const HealthCheckParams&) const = default;
};

// Grouped by size (durations, sizes, ints, strings, bools) so there is no padding: one per worker,
// and a large config has tens of thousands.
struct WorkerParams {
  Micros retry = std::chrono::seconds(60);
  Micros timeout{0}; // timeout= (or a ProxyTimeout copied when the worker was defined)
  Micros acquire{0};
  Micros ping_timeout{0};
  Micros connection_timeout{0};
  Micros ttl{0}; // 0: idle connections never expire
  Micros flush_wait{10000};
  std::size_t io_buffer_size = 8192;
  std::size_t recv_buffer_size = 0;
  std::size_t response_field_size = 8192;
  int lbfactor = 100; // loadfactor x 100 (100..10000)
  int lbset = 0;
  int min = 0;
  int hmax = 0;         // max=; 0 means the runtime default (ThreadsPerChild)
  int smax = -1;        // -1: same as max
  int address_ttl = -1; // seconds; -1: resolve once (0 when not reusable)
  FlushPackets flush_packets = FlushPackets::Off;
  unsigned status = 0;  // WorkerStatus bits from status= (plus Ign for a worker outside a balancer)
  std::string route;    // < 64 chars
  std::string redirect; // < 64 chars
  std::string secret;   // < 64 chars
  std::string upgrade;  // < 16 chars; "ANY" stored as "*"
  std::string flusher;  // < 16 chars
  HealthCheckParams hc;
  bool keepalive = false;
  bool disablereuse = false;       // on by default for a ProxyPassMatch URL with $n substitutions
  bool is_address_reusable = true; // false when $n appears in host[:port]
  // Which of the above were given explicitly.
  bool retry_set = false;
  bool timeout_set = false;
  bool acquire_set = false;
  bool ping_timeout_set = false;
  bool connection_timeout_set = false;
  bool keepalive_set = false;
  bool disablereuse_set = false;
  bool address_ttl_set = false;
  bool io_buffer_size_set = false;
  bool recv_buffer_size_set = false;
  bool response_field_size_set = false;
  bool operator==(const WorkerParams&) const = default;
};

struct Worker {
  std::string name;     // normalised URL (Apache's name_ex): lower-case scheme and host, default port dropped
  std::string scheme;   // "http", "ajp", ...
  std::string hostname; // lower-case, no brackets for IPv6
  std::string uds_path; // "unix:/path|..." form: the socket path (relative to DefaultRuntimeDir), else ""
  std::string balancer; // owning balancer name ("balancer://app"), "" for a server-level worker
  std::string section;  // path of the <Proxy>/<ProxyMatch> section that configures it, if any
  SourceFile file;      // where it was first defined
  unsigned line = 0;
  std::uint16_t port = 0;         // explicit port, else the scheme's default
  bool is_name_matchable = false; // defined by ProxyPassMatch / <ProxyMatch>: name may hold $n
  bool has_section = false;
  WorkerParams params;
  bool operator==(const Worker&) const = default;
};

} // namespace balancerd::directives
