#pragma once
// Detaching from the terminal as `apache2 -k start` does (APR's apr_proc_detach): fork, the child
// starts a new session, changes to "/" and later points its standard streams at /dev/null.
//
// Unlike apache2, whose parent exits as soon as it has forked, the parent here waits until the child
// says it serves (sockets bound, PidFile written, privileges dropped) and exits 0, or until the child
// exits during startup and then exits with the child's status. Startup errors (a port in use, a log
// that cannot be opened) are written by the child on the inherited stderr, so a caller sees them
// and the exit status 1 as apache2 reports the errors it finds before detaching.
#include <optional>

namespace balancerd::lifecycle {

class Detach {
public:
  // Forks. In the parent, waits as described above and returns the exit status the command should
  // end with. In the child, returns nullopt with the child in its own session, its working directory
  // "/", stdin and stdout on /dev/null and stderr still the caller's. Must be called before any thread is
  // started. On a fork failure returns 1 after writing why on stderr.
  std::optional<int> fork_and_wait();

  // In the child, once serving: stderr becomes `stderr_fd` (which it takes; the main ErrorLog
  // opened before privileges were dropped, as apache2 has it) or /dev/null when that is -1, then
  // the waiting parent is woken. In the foreground, only closes `stderr_fd`.
  void serving(int stderr_fd);

  bool detached() const { return ready_fd_ >= 0; }

private:
  int ready_fd_ = -1; // the child's end of the pipe the parent waits on
};

} // namespace balancerd::lifecycle
