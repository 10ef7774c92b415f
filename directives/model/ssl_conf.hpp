#pragma once
// Slot for mod_ssl: TLS termination (server side) and TLS to backends (proxy side).
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace balancerd::directives {

// Protocol bits as SSLProtocol/SSLProxyProtocol compute them.
enum SslProtocolBits : unsigned {
  SSL_PROTO_SSLV3 = 1u << 1,
  SSL_PROTO_TLSV1 = 1u << 2,
  SSL_PROTO_TLSV1_1 = 1u << 3,
  SSL_PROTO_TLSV1_2 = 1u << 4,
  SSL_PROTO_TLSV1_3 = 1u << 5,
  SSL_PROTO_ALL = SSL_PROTO_TLSV1 | SSL_PROTO_TLSV1_1 | SSL_PROTO_TLSV1_2 | SSL_PROTO_TLSV1_3,
};

enum class SslVerify { Unset, None, Optional, Require, OptionalNoCa };
enum class SslEngine { Unset, Off, On, Optional };

// One side of a TLS configuration (the server's own, or the proxy's toward backends).
struct SslContextConf {
  std::optional<unsigned> protocols;             // SslProtocolBits
  std::optional<std::string> cipher_suite;       // TLSv1.2 and below (OpenSSL cipher list)
  std::optional<std::string> cipher_suite_tls13; // "SSLCipherSuite TLSv1.3 ..."
  std::vector<std::string> certificate_files;    // in order (server: one per key type)
  std::vector<std::string> certificate_key_files;
  std::optional<std::string> certificate_chain_file;
  std::optional<std::string> ca_certificate_file;
  std::optional<std::string> ca_certificate_path;
  std::optional<std::string> ca_revocation_file;
  std::optional<std::string> ca_revocation_path;
  std::optional<std::string> ca_revocation_check;      // "none", "chain", "leaf" + flags, as written
  std::optional<std::string> machine_certificate_file; // proxy: client certificates
  std::optional<std::string> machine_certificate_path;
  std::optional<std::string> machine_certificate_chain_file;
  SslVerify verify = SslVerify::Unset;
  std::optional<int> verify_depth;
  std::vector<std::pair<std::string, std::string>> openssl_conf_cmds; // SSLOpenSSLConfCmd
};

// TLS toward backends: SSLProxy* at server/vhost level, or inside <Proxy> (per-dir, 2.4.30+).
struct SslProxySide {
  std::optional<bool> engine;
  SslContextConf ctx;
  std::optional<bool> check_peer_name;
  std::optional<bool> check_peer_cn;
  std::optional<bool> check_peer_expire;
};

struct SslServerConf {
  SslEngine engine = SslEngine::Unset;
  std::string engine_file; // where the SSLEngine in force was written (start-up refusal, DUMP_COMPAT)
  unsigned engine_line = 0;
  SslContextConf server;
  SslProxySide proxy;
  // Misc server settings
  std::optional<bool> honor_cipher_order;
  std::optional<bool> compression;
  std::optional<bool> session_tickets;
  std::optional<bool> insecure_renegotiation;
  std::optional<bool> strict_sni_vhost_check;
  std::optional<bool> use_stapling;
  std::optional<std::string> session_cache; // global: "none", "shmcb:/path(size)"...
  std::optional<int> session_cache_timeout;
  std::optional<std::string> stapling_cache;
  std::optional<std::string> ocsp_enable; // "on"/"off"/"leaf"...
};

struct SslDirConf {
  SslProxySide proxy;                      // SSLProxy* inside <Proxy>
  std::optional<std::string> cipher_suite; // per-dir SSLCipherSuite (renegotiation)
  SslVerify verify_client = SslVerify::Unset;
  std::optional<int> verify_depth;
  std::vector<std::string> options; // SSLOptions as written ("+StdEnvVars", "-ExportCertData"...)
  bool require_ssl = false;
  std::optional<std::string> user_name;
};

} // namespace balancerd::directives
