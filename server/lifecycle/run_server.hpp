#pragma once
// Running the server: what `balancerd -f conf -DFOREGROUND` (or -X) does after the config compiled.
// Opens every Listen socket, writes the PidFile, drops privileges to User/Group when started as
// root, starts one io loop per core (the first on the calling thread, the others on threads of their
// own, so one loop is one thread), and handles signals on the first loop:
//   SIGTERM, SIGINT   stop (connections are dropped, the pid file removed), exit 0
//   SIGUSR1, SIGHUP   graceful: re-read the config with the same options (on a short-lived thread,
//                     while the loop serves); new requests use the new one, in-flight ones finish on
//                     the old; a broken config is logged and ignored
//   SIGWINCH          graceful stop (stop accepting, then exit)
// Listen addresses and connection-level settings (KeepAlive, Timeout...) are fixed at start: a
// reload changes what requests see (vhosts, sections, files, redirects, access), not the sockets.
#include <functional>
#include <string>
#include <vector>

#include "directives/compile.hpp"
#include "parser/config_reader.hpp"

namespace balancerd::lifecycle {

struct RunOptions {
  std::string program = "balancerd";
  parser::ReadOptions read;    // used again by a graceful reload
  bool single_process = false; // -X (one thread)
  // Detach from the terminal first (apache2 without -X, -DFOREGROUND or -DNO_DETACH): see
  // detach.hpp. run_server then returns in the parent with the command's exit status.
  bool detach = false;
  unsigned threads = 0; // 0: one per hardware thread
  // The configuration's warnings and log lines (printed to stderr as they came): written again to
  // the error log once it is open, as apache2's second read of the configuration logs them there.
  std::vector<directives::LogRecord> startup_log;
  // The command line as given ("balancerd -f x.conf"), logged with AH00094 after each start and
  // restart as apache2 logs it; nothing when empty.
  std::string command_line;
  // The balancerd program, which the privileged helper runs to check its requests against the
  // configuration (privileged_check.hpp): /proc/self/exe for balancerd itself; a test program
  // names the built balancerd. Empty: the helper refuses every reload-time open and program start.
  std::string privileged_check_binary;
  // Called once listening (tests use it to learn that the server is up).
  std::function<void()> on_ready;
};

// Returns the process exit status (0 after a stop, 1 when no socket could be bound). With `detach`,
// the parent returns 0 once the detached child serves, or the child's status if it failed to start.
int run_server(const directives::CompileResult& compiled, const RunOptions& options);

} // namespace balancerd::lifecycle
