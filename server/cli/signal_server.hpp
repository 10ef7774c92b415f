#pragma once
// -k start|stop|restart|graceful|graceful-stop: Apache's ap_signal_server. Signals the server whose
// pid is in PidFile (stop: SIGTERM, graceful-stop: SIGWINCH, restart: SIGHUP, graceful: SIGUSR1).
#include "directives/compile.hpp"

#include <optional>
#include <string>

namespace balancerd::cli {

// An exit code when the command is done, or nothing when the server should now start (start with
// no server running, restart/graceful with none running: "not running, trying to start").
std::optional<int> signal_server(const std::string& program, const std::string& verb,
                                 const directives::Config& config);

} // namespace balancerd::cli
