#pragma once
// The lifecycle tests' server harness: the configuration lines every test server has (PidFile,
// ErrorLog, DocumentRoot in its directory), compiling dir/server.conf, run_server in a forked child,
// and stopping it with a signal.
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "server/lifecycle/run_server.hpp"

namespace balancerd::testing_support {

// True as soon as f() is (polled every 20 ms for 4 s).
template <class F> bool eventually(F f) {
  for (int i = 0; i < 200; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// "PidFile", "ErrorLog" and "DocumentRoot" lines for a server living in `dir`.
inline std::string server_files(const std::filesystem::path& dir) {
  return "PidFile " + (dir / "httpd.pid").string() + "\n" + "ErrorLog " + (dir / "error.log").string() +
         "\n" + "DocumentRoot " + (dir / "htdocs").string() + "\n";
}

// Reading dir/server.conf with dir as the ServerRoot.
inline parser::ReadOptions read_options(const std::filesystem::path& dir) {
  parser::ReadOptions read;
  read.server_root = dir.string();
  read.config_file = (dir / "server.conf").string();
  return read;
}

// The configuration compiled, its warnings dropped.
inline directives::CompileResult compile(const parser::ReadOptions& read) {
  directives::Diagnostics diag("balancerd", [](const directives::LogRecord&) {});
  return directives::compile_config(read, diag);
}

// run_server(compiled) in a child process with `threads` threads; the child's pid (< 0 when fork
// failed). The child never returns from here.
inline pid_t fork_server(const parser::ReadOptions& read, const directives::CompileResult& compiled,
                         unsigned threads) {
  pid_t child = ::fork();
  if (child == 0) {
    lifecycle::RunOptions o;
    o.read = read;
    o.threads = threads;
#ifdef BALANCERD_BINARY
    o.privileged_check_binary = BALANCERD_BINARY; // checks the privileged helper's requests
#endif
    ::_exit(lifecycle::run_server(compiled, o));
  }
  return child;
}

// Sends `sig` to the child and waits for it to end: waitpid's result, the exit status in `status`.
inline pid_t signal_and_wait(pid_t child, int sig, int& status) {
  ::kill(child, sig);
  return ::waitpid(child, &status, 0);
}

} // namespace balancerd::testing_support
