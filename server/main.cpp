// balancerd: apache2's command line (see server/cli/).
#include "directives/run_mode.hpp"
#include "server/cli/command_line.hpp"
#include "server/lifecycle/privileged_check.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  // The privileged helper's validator (privileged_check.hpp): reads the configuration, answers with
  // its exit status, does nothing else. Not an option of apache2's, so not in the usage text.
  if (argc > 1 && argv[1] == balancerd::lifecycle::kPrivilegedCheckFlag)
    return balancerd::lifecycle::run_privileged_check(argc, argv);
  const int rc = balancerd::cli::run(argc, argv);
  // A configuration test or dump (-t, -S, -M, -D DUMP_*) is over once run() returns; no server was
  // started. Exiting without static destructors, atexit handlers and each library's fini code keeps
  // their code pages from being faulted in only to quit: `balancerd -t` is held to apache2 -t's peak
  // RSS. The kernel reclaims everything they would have released; the output is flushed first.
  if (balancerd::directives::run_mode() != balancerd::directives::RunMode::Normal) {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    std::_Exit(rc);
  }
  return rc;
}
