#include "server/cli/signal_server.hpp"

#include <csignal>
#include <fstream>
#include <iostream>
#include <sys/types.h>

namespace balancerd::cli {

namespace {

// The pid in the file, and whether a process with it exists.
struct PidState {
  bool has_file = false;
  long pid = 0;
  bool running = false;
};

PidState read_pid(const std::string& path) {
  PidState state;
  std::ifstream in(path);
  if (!in) return state;
  state.has_file = true;
  in >> state.pid;
  state.running = state.pid > 0 && ::kill(static_cast<pid_t>(state.pid), 0) == 0;
  return state;
}

} // namespace

std::optional<int> signal_server(const std::string&, const std::string& verb,
                                 const directives::Config& config) {
  // Apache's messages here say "httpd" whatever the program is called; kept for compatibility.
  const std::string program = "httpd";
  const std::string pid_file = config.main.core.pid_file.value_or("/run/apache2.pid");
  const PidState state = read_pid(pid_file);
  if (verb == "start") {
    if (state.running) {
      std::cout << program << " (pid " << state.pid << ") already running" << std::endl;
      return 0;
    }
    return std::nullopt;
  }
  if (verb == "stop" || verb == "graceful-stop") {
    if (!state.running) {
      if (!state.has_file)
        std::cout << program << " (no pid file) not running" << std::endl;
      else
        std::cout << program << " (pid " << state.pid << "?) not running" << std::endl;
      return 0;
    }
    ::kill(static_cast<pid_t>(state.pid), verb == "stop" ? SIGTERM : SIGWINCH);
    return 0;
  }
  // restart / graceful
  if (!state.running) {
    std::cout << program << " not running, trying to start" << std::endl;
    return std::nullopt;
  }
  ::kill(static_cast<pid_t>(state.pid), verb == "restart" ? SIGHUP : SIGUSR1);
  return 0;
}

} // namespace balancerd::cli
