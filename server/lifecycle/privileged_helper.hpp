#pragma once
// Apache's parent process stays root, so a graceful reload can open log files in root-owned
// directories, start piped loggers as root and create runtime files. balancerd has no root parent:
// after start-up it runs as User. When it starts as root, it forks this helper first: a small
// process that keeps root and does, on request over a Unix socketpair, only those things, handing
// the descriptors back (SCM_RIGHTS):
//   - open a log file for append (O_WRONLY|O_APPEND|O_CREAT, 0666 & umask: root-owned, as Apache
//     creates it),
//   - open/create a runtime file for writing (the BalancerPersist file in a new DefaultRuntimeDir),
//   - start a piped-log program as root (what the configuration already runs as root in Apache),
//     with the server's pipe as its stdin; the helper is its parent, so a restart after the program
//     dies is again as root, as Apache's parent restarts it,
//   - open a TLS certificate, key, chain or CA file for reading (a root-only key, as certbot and
//     /etc/ssl/private make them, that a reload must read again after a renewal),
//   - remove the PidFile once the server is gone (the server, as User, may not).
// It exits when the server's end of the socket closes, so it never outlives the server.
//
// Trust: the helper serves whoever holds the server's end of the socket, which only the server
// process has (close-on-exec, never passed on), and that process runs as User: a compromise of it
// must not reach root. So the helper does not take the server's word for a request: before opening
// a log or runtime file or starting a program, it runs a validator (privileged_check.hpp), the
// balancerd binary in a hidden mode, as root, which reads the configuration itself with the
// options a reload uses (-d, -f, -D, -C, -c from the command line, the binary from /proc/self/exe,
// both fixed before the fork) and allows only
//   - a log file that is one of the configuration's ErrorLog, CustomLog or TransferLog files,
//   - the BalancerPersist file (DefaultRuntimeDir/balancerd-balancers.state) when a server has
//     BalancerPersist On,
//   - for reading, a file a server with SSLEngine on names as SSLCertificateFile,
//     SSLCertificateKeyFile, SSLCertificateChainFile or SSLCACertificateFile, or its
//     SSLCACertificatePath directory and the hashed entries in it (privileged_ca_dir.hpp),
//   - a program that is exactly one of its piped logs ("|cmd", "||cmd", "|$cmd", as PipedLog
//     splits it).
// Anything else is refused with EPERM (the reload then fails with Apache's message and "(1)
// Operation not permitted"; the refusal is logged). What remains reachable is what root's
// configuration names, as with Apache's root parent: the server can still have those files opened
// and those programs (re)started. Only requests through the helper are checked (a reload, a piped
// logger restarted after its program died), and only once the server asked for checks
// (require_checks()), which it does right after start-up opened its logs as root and before it
// reads any input or drops privileges. A check compiles the configuration once per request
// (bounded to a minute); the request allowed last is not checked again for 2 s (a piped log whose
// program cannot start is retried every 100 ms).
//
// The log layer and the persist file call the free functions below: through the helper when this
// process is no longer root and a helper runs, else directly here (a server not started as root,
// or start-up before the privilege drop). Errors come back as errno values so the messages stay
// Apache's ("(13)Permission denied: AH00091: ...").
#include <sys/types.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "parser/config_reader.hpp"

namespace balancerd::lifecycle {

// A program the helper started: its pid and a pidfd (poll()-readable once it has exited; -1 when
// the kernel has none), or the errno of the failed start.
struct SpawnedLogger {
  pid_t pid = -1;
  int pidfd = -1;
  int error = 0;
};

class PrivilegedHelper {
public:
  // Forks the helper. nullptr when this process is not root, or when the socketpair or fork fails
  // (the server then runs as before: no reload-time opening as root). `pid_file` is the path the
  // helper removes at the end once arm_pid_file() was called. `check_binary` is the balancerd
  // program the helper runs as the validator with `read` (the options a reload reads the
  // configuration with); empty: every open and program start is refused (EPERM).
  static std::unique_ptr<PrivilegedHelper> start(const std::string& pid_file, const std::string& check_binary,
                                                 const parser::ReadOptions& read);
  // Closes the socket: the helper removes the armed PidFile and exits. Reaps it (bounded wait).
  ~PrivilegedHelper();
  PrivilegedHelper(const PrivilegedHelper&) = delete;
  PrivilegedHelper& operator=(const PrivilegedHelper&) = delete;

  // A descriptor (close-on-exec) or -errno; nullopt when the helper cannot be reached (it died).
  // Thread-safe (one request at a time).
  std::optional<int> open_log(const std::string& path);
  std::optional<int> open_runtime_file(const std::string& path);
  // O_RDONLY: a TLS certificate, key, chain or CA file of a server with SSLEngine on, or its CA
  // directory (a descriptor to list it) and the hashed entries there.
  std::optional<int> open_read(const std::string& path);
  // `argv[0]` is looked up in PATH when it has no '/'. The program gets `stdin_fd` as its stdin and
  // `stdout_fd`/`stderr_fd` as its stdout/stderr; the helper does not keep them.
  std::optional<SpawnedLogger> spawn_logger(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd,
                                            int stderr_fd);
  // SIGTERM to a program this helper started and has not yet reaped (nothing otherwise).
  void stop_logger(pid_t pid);
  // The PidFile is written: remove it once the server is gone.
  bool arm_pid_file();
  // From now on every open and program start is checked against the configuration (see Trust);
  // before, the requests come from a process that is still root and are done as asked. The server
  // calls it once its start-up logs are open, before it handles any input or gives up root. There
  // is no way back.
  bool require_checks();
  pid_t pid() const { return pid_; }

  // The helper the free functions below and the piped logs use (nullptr: none). The caller keeps
  // it alive until it installs nullptr again.
  static void install(PrivilegedHelper* helper);
  static PrivilegedHelper* installed();

private:
  PrivilegedHelper(int socket, pid_t pid) : socket_(socket), pid_(pid) {}
  struct Reply {
    int error = 0;
    pid_t pid = -1;
    int fd = -1;
  };
  std::optional<Reply> call(unsigned op, const std::string& data, unsigned argc, const int* fds, int nfds,
                            pid_t pid = -1);

  std::mutex mutex_;
  int socket_;
  pid_t pid_;
};

// Installs a helper for the lifetime of a scope (then nullptr again).
class InstalledHelper {
public:
  explicit InstalledHelper(PrivilegedHelper* helper) { PrivilegedHelper::install(helper); }
  ~InstalledHelper() { PrivilegedHelper::install(nullptr); }
  InstalledHelper(const InstalledHelper&) = delete;
  InstalledHelper& operator=(const InstalledHelper&) = delete;
};

// O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, 0666 (& umask): a descriptor or -errno.
int open_log_file(const std::string& path);
// O_WRONLY|O_CREAT|O_CLOEXEC, 0666 (& umask), not truncated: a descriptor or -errno.
int open_runtime_file(const std::string& path);
// O_RDONLY|O_CLOEXEC: a descriptor or -errno. A graceful reload re-reads TLS certificates and keys
// through it: as root (the helper) although the server runs as User, as Apache's parent does.
int open_read_file(const std::string& path);

} // namespace balancerd::lifecycle
