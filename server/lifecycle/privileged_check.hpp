#pragma once
// What the privileged helper (privileged_helper.hpp) may do for the server, decided from the
// configuration as root reads it, not from what the server asks: a log file opened for append as
// root must be one of the configuration's ErrorLog/CustomLog/TransferLog files, a runtime file its
// BalancerPersist file, a program started as root exactly one of its piped logs. The helper cannot
// read the configuration itself (it is forked from a threaded process and may not allocate), so
// for each request it runs the balancerd binary in a hidden mode:
//   balancerd --privileged-check -d ROOT -f FILE [-D NAME]... [-C DIR]... [-c DIR]... -- OP WORD...
// which compiles the configuration with those read options (the ones a reload uses) and exits 0
// only when the request is allowed. That mode performs nothing: it reads the configuration, which
// anyone running balancerd may, and answers with its exit status, so it grants nothing by itself.
#include <string>
#include <string_view>
#include <vector>

#include "directives/model/config.hpp"
#include "parser/config_reader.hpp"

namespace balancerd::lifecycle {

// The hidden mode's first argument (never in `balancerd -h`).
inline constexpr std::string_view kPrivilegedCheckFlag = "--privileged-check";

// The requests the check knows (OP above).
inline constexpr const char* kCheckOpenLog = "log";
inline constexpr const char* kCheckOpenRuntime = "runtime";
inline constexpr const char* kCheckSpawn = "spawn";
inline constexpr const char* kCheckOpenRead = "read";

// The validator's command line up to and including "--": the helper appends OP and the request's
// words. `binary` is the balancerd program.
std::vector<std::string> privileged_check_prefix(const std::string& binary, const parser::ReadOptions& read);

// The files a configuration opens as logs, as the log layer opens them (LogSet::open): every
// ErrorLog (the default ServerRoot/logs/error_log when the main server has none), CustomLog and
// TransferLog that is neither a piped program nor syslog.
std::vector<std::string> configured_log_files(const directives::Config& config);
// The programs of the configuration's piped logs, as PipedLog starts them (its program_argv).
std::vector<std::vector<std::string>> configured_piped_logs(const directives::Config& config);
// The BalancerPersist file (DefaultRuntimeDir/balancerd-balancers.state, as the balancer state
// store names it) when some server has BalancerPersist On; empty otherwise.
std::string configured_persist_file(const directives::Config& config);

// The files mod_ssl reads for the servers whose SSLEngine is on (the main server's SSL* settings
// merged into each vhost, as the TLS contexts are built): SSLCertificateFile, SSLCertificateKeyFile
// (the certificate file itself when a certificate has no key file), SSLCertificateChainFile and
// SSLCACertificateFile. SSLCACertificatePath is apart (configured_tls_ca_paths).
std::vector<std::string> configured_tls_files(const directives::Config& config);
// The SSLCACertificatePath directories of those servers (merged the same way). A context build reads
// a directory's hashed entries at once (OpenSSL would look them up lazily, as the server's User, when
// a client certificate is verified): the directory itself and its entries named as OpenSSL's hashed
// lookup names them (is_hashed_ca_name) may be opened for reading, so that a root-only directory
// still serves after a graceful reload. Other files in it may not.
std::vector<std::string> configured_tls_ca_paths(const directives::Config& config);
// "<8 hex digits>.<digits>" (a certificate) or "<8 hex digits>.r<digits>" (a CRL), as c_rehash and
// `openssl rehash` name them.
bool is_hashed_ca_name(std::string_view name);

// Whether `config` allows request `op` with `words` (a path, or a program's argv).
bool privileged_request_allowed(const directives::Config& config, std::string_view op,
                                const std::vector<std::string>& words);

// The hidden mode: argv as balancerd's main() got it, argv[1] being kPrivilegedCheckFlag. 0: allowed,
// 1: refused, 2: a malformed command line or a configuration that does not compile. Prints nothing.
int run_privileged_check(int argc, char** argv);

} // namespace balancerd::lifecycle
