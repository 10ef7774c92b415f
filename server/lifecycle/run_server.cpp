#include "server/lifecycle/run_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "directives/modules/proxy_startup.hpp"
#include "server/balancer/persist_file.hpp"
#include "server/balancer/state_store.hpp"
#include "server/hcheck/health_checker.hpp"
#include "server/lifecycle/detach.hpp"
#include "server/lifecycle/log_reload.hpp"
#include "server/lifecycle/privileged_helper.hpp"
#include "server/lifecycle/privileges.hpp"
#include "server/lifecycle/server_options_from_config.hpp"
#include "server/lifecycle/signal_watch.hpp"
#include "server/log/file_target.hpp"
#include "server/log/log_set.hpp"
#include "server/net/http_server.hpp"
#include "server/pipeline/pipeline.hpp"
#include "server/pipeline/request_log.hpp"
#include "server/proxy/proxy_engine.hpp"
#include "server/runtime/tls_guard.hpp"

namespace balancerd::lifecycle {

namespace {

// The main server's error log once opened: lifecycle events go there, as Apache writes them.
std::shared_ptr<const log::LogSet> lifecycle_logs;

// The health checker logs from its own thread: it reads the current set under a lock.
std::mutex checker_logs_mutex;
std::shared_ptr<const log::LogSet> checker_logs;
std::shared_ptr<const log::LogSet> lifecycle_logs_for_checker() {
  std::lock_guard lock(checker_logs_mutex);
  return checker_logs;
}
void set_checker_logs(std::shared_ptr<const log::LogSet> logs) {
  std::lock_guard lock(checker_logs_mutex);
  checker_logs = std::move(logs);
}

// A lifecycle event in Apache's error-log layout: in the main ErrorLog once it is open (Apache logs
// its notices whatever LogLevel says), else on stderr ("[time] [core:level] [pid N] message").
void log_line(std::string_view level, std::string_view text, log::ModuleIndex module = log::mod::core) {
  if (lifecycle_logs) {
    log::ErrorEvent ev;
    ev.module = module;
    ev.level = level == "notice"  ? log::kNotice
               : level == "alert" ? log::kAlert
               : level == "warn"  ? log::kWarn
                                  : log::kError;
    ev.when = std::chrono::system_clock::now();
    ev.pid = static_cast<long>(::getpid());
    ev.tid = ev.pid; // the main process's events, whichever thread writes them (a reload's)
    lifecycle_logs->main().error_log->write(ev, text);
    return;
  }
  char when[64];
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  std::strftime(when, sizeof when, "%a %b %d %H:%M:%S %Y", &tm);
  std::cerr << "[" << when << "] [core:" << level << "] [pid " << ::getpid() << "] " << text << std::endl;
}

// AH00094, as apache2 logs its command line once it serves.
void log_command_line(const RunOptions& options) {
  if (!options.command_line.empty())
    log_line("notice", "AH00094: Command line: '" + options.command_line + "'");
}

std::string bind_address_text(const net::ListenAddress& l) {
  if (l.host.empty()) return "[::]:" + std::to_string(l.port);
  if (l.host.find(':') != std::string::npos) return "[" + l.host + "]:" + std::to_string(l.port);
  return l.host + ":" + std::to_string(l.port);
}

// Apache's line for a listener that cannot be bound, from the listener's exception:
// "(98)Address already in use: AH00072: make_sock: could not bind to address 127.0.0.1:80".
std::string bind_error_text(const std::system_error& e, const std::vector<net::ListenAddress>& listen) {
  const int code = e.code().value();
  const std::string what = e.what();
  std::string addr;
  // the listener names the address without brackets; print it as Apache does
  for (const auto& l : listen) {
    std::string plain = "could not bind to address " + l.host + ":" + std::to_string(l.port);
    if (what.find(plain) != std::string::npos) addr = bind_address_text(l);
  }
  return "(" + std::to_string(code) + ")" + std::strerror(code) +
         ": AH00072: make_sock: could not bind to address " + addr;
}

bool write_pid_file(const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return false;
  out << ::getpid() << "\n";
  return static_cast<bool>(out);
}

// mod_proxy's post-config failures: Apache writes them to the error log, then "AH00020:
// Configuration Failed, exiting" (with an empty module name), and exits 1.
bool report_startup_errors(const directives::Config& config, const log::LogSet& logs) {
  const auto errors = directives::proxy::startup_errors(config);
  if (errors.empty()) return false;
  const auto& elog = *logs.main().error_log;
  auto level_of = [](std::string_view l) {
    return l == "emerg" ? log::kEmerg : l == "alert" ? log::kAlert : l == "crit" ? log::kCrit : log::kError;
  };
  for (const auto& m : errors) {
    log::ErrorEvent ev;
    ev.module = log::module_index(m.module).value_or(log::mod::proxy);
    ev.level = level_of(m.level);
    ev.when = std::chrono::system_clock::now();
    ev.pid = static_cast<long>(::getpid());
    ev.tid = static_cast<long>(::getpid());
    elog.write(ev, m.text);
  }
  // "[:emerg]": no module. Written as Apache's default ErrorLogFormat lays it out.
  char when[64];
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  char date[32], year[8];
  std::strftime(date, sizeof date, "%a %b %d %H:%M:%S", &tm);
  std::strftime(year, sizeof year, "%Y", &tm);
  std::snprintf(when, sizeof when, "%s.%06lld %s", date, static_cast<long long>(us), year);
  std::string line = std::string("[") + when + "] [:emerg] [pid " + std::to_string(::getpid()) + ":tid " +
                     std::to_string(::getpid()) + "] AH00020: Configuration Failed, exiting\n";
  elog.target().write(line, log::kEmerg);
  return true;
}

// The configuration's log lines, at the main server's levels (a plain message, AH00558, always).
void write_startup_log(const std::vector<directives::LogRecord>& records, const log::LogSet& logs) {
  const auto& main = logs.main();
  for (const auto& r : records) {
    if (r.plain) {
      main.error_log->target().write(r.text + "\n", log::kWarn);
      continue;
    }
    log::ErrorEvent ev;
    ev.module = log::module_index(r.module).value_or(log::mod::core);
    ev.level = directives::log_level_value(r.level);
    if (ev.level < 0 || !main.levels.enabled(ev.module, ev.level)) continue;
    ev.when = std::chrono::system_clock::now();
    ev.pid = static_cast<long>(::getpid());
    ev.tid = static_cast<long>(::getpid());
    main.error_log->write(ev, r.text);
  }
}

} // namespace

int run_server(const directives::CompileResult& compiled, const RunOptions& options) {
  // Detaching comes first: no thread may exist when the process forks.
  Detach detach;
  if (options.detach) {
    if (auto code = detach.fork_and_wait()) return *code;
  }
  const auto& config = *compiled.config;
  net::ServerOptions so = server_options_from_config(config, compiled.fqdn);
  so.threads = options.single_process ? 1 : options.threads;
  if (so.listen.empty()) {
    std::cerr << "no listening sockets available, shutting down" << std::endl;
    std::cerr << "AH00015: Unable to open logs" << std::endl;
    return 1;
  }

  // Signals are handled by this thread alone: block them before any other thread exists, so the
  // io_context threads inherit the mask.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGHUP, SIGWINCH}) sigaddset(&set, s);
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &set, &old);
  ::signal(SIGPIPE, SIG_IGN);

  const std::string pid_file = config.main.core.pid_file.value_or(
      (config.default_runtime_dir.empty() ? config.server_root + "/logs" : config.default_runtime_dir) +
      "/httpd.pid");
  // Started as root: the helper that stays root, as Apache's parent does, for what a reload opens
  // after the privilege drop (logs, piped loggers, runtime files) and to remove the PidFile at the
  // end (privileged_helper.hpp). Forked before any log opens, so it is also the parent of the
  // piped loggers, and declared before everything that uses it, so it outlives them.
  const std::unique_ptr<PrivilegedHelper> helper =
      PrivilegedHelper::start(pid_file, options.privileged_check_binary, options.read);
  const InstalledHelper helper_in_use(helper.get());
  // the BalancerPersist file of a reload's new DefaultRuntimeDir, written as root as Apache does
  balancer::set_runtime_file_opener(&open_runtime_file);

  // Logs are opened before the privileges are dropped, as Apache opens them.
  std::shared_ptr<const log::LogSet> logs;
  try {
    logs = std::make_shared<const log::LogSet>(
        log::LogSet::open(config, {options.program, &pipeline::eval_log_condition}));
  } catch (const std::exception& e) {
    std::cerr << e.what() << std::endl;
    std::cerr << "AH00015: Unable to open logs" << std::endl;
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return 1;
  }
  // Start-up's logs are open (piped ones started by the helper as asked): from here on, before
  // any input is read or root given up, the helper checks each request against the configuration.
  if (helper) helper->require_checks();
  write_startup_log(options.startup_log, *logs);
  if (report_startup_errors(config, *logs) ||
      !runtime::setup_client_tls(config, compiled.fqdn, *logs, std::cerr, so.connection.tls, logs)) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return 1;
  }

  // The balancer state and the proxy engine outlive every configuration snapshot: the store
  // re-binds each new config to the running state (a drained member stays drained).
  balancer::StateStore store;
  store.sync(config);
  proxy::ProxyEngine engine(store);
  hcheck::HealthCheckerOptions hc_options;
  hc_options.log = [](const hcheck::HcLogLine& line) {
    auto logs_now = lifecycle_logs_for_checker();
    if (!logs_now) return;
    log::ErrorEvent ev;
    ev.module = line.module;
    ev.level = line.level;
    ev.os_error = line.os_error;
    ev.when = std::chrono::system_clock::now();
    ev.pid = static_cast<long>(::getpid());
    logs_now->main().error_log->write(ev, line.message);
  };
  hc_options.log_enabled = [](log::ModuleIndex m, int level) {
    auto logs_now = lifecycle_logs_for_checker();
    return logs_now && logs_now->main().levels.enabled(m, level);
  };
  hcheck::HealthChecker checker(store, std::move(hc_options));
  checker.update(compiled.config);

  auto pipeline = std::make_shared<pipeline::Pipeline>(
      pipeline::Snapshot::build(compiled.config, compiled.fqdn, logs), pipeline::Services{&engine, &store});
  net::HttpServer server(so, pipeline);
  try {
    server.start(net::HttpServer::FirstLoop::Caller);
  } catch (const std::system_error& e) {
    std::cerr << bind_error_text(e, so.listen) << std::endl;
    std::cerr << "no listening sockets available, shutting down" << std::endl;
    std::cerr << "AH00015: Unable to open logs" << std::endl;
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return 1;
  }

  const bool pid_file_written = write_pid_file(pid_file);
  // the helper removes it once we are gone: as User this process may not (its directory is root's)
  if (pid_file_written && helper) helper->arm_pid_file();
  if (!pid_file_written) {
    log_line("error", "AH00099: could not create " + pid_file);
    // A daemon whose pid cannot be recorded cannot be stopped with -k: apache2 gives up there. In
    // the foreground the process is still reachable, so it goes on.
    if (options.detach) {
      log_line("error", "AH00100: " + options.program + ": could not log pid to file " + pid_file,
               log::mod::core);
      server.stop();
      pthread_sigmask(SIG_SETMASK, &old, nullptr);
      return 1;
    }
  }

  // A daemon's stderr is the main ErrorLog when that is a file, as apache2 has it: opened while
  // this process may still write it.
  int daemon_stderr = -1;
  if (options.detach) {
    if (const auto* f = dynamic_cast<const log::FileTarget*>(&logs->main().error_log->target()))
      daemon_stderr = ::open(f->path().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  }
  // this thread keeps the right to bind ports below 1024 for the reloads, permitted only: the reload
  // threads it starts raise it around their bind (privileges.hpp)
  std::string priv = drop_privileges(config.main.core);
  if (!priv.empty()) {
    log_line("alert", priv);
    server.stop();
    ::unlink(pid_file.c_str());
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return 1;
  }
  detach.serving(daemon_stderr);
  lifecycle_logs = logs;
  set_checker_logs(logs);
  log_line("notice",
           "AH00489: " + std::string(so.connection.server_header) +
               " configured -- resuming normal operations",
           log::mod::mpm_event);
  log_command_line(options);
  if (options.on_ready) options.on_ready();

  int exit_code = 0;
  // A re-read of the configuration, on a thread of its own so the first io loop (this thread's)
  // serves meanwhile; the new configuration is applied from there as the io threads expect it.
  auto reload = [&] {
    try {
      directives::Diagnostics diag(options.program, [](const directives::LogRecord&) {});
      directives::CompileResult next = directives::compile_config(options.read, diag);
      // the new configuration's logs; requests in flight finish on the old set, which closes when
      // its last snapshot goes
      auto running = pipeline->current();
      ReloadedLogs reloaded = logs_for_reload(running->logs, *running->config, *next.config,
                                              {options.program, &pipeline::eval_log_condition});
      if (!reloaded.logs) throw std::runtime_error(reloaded.error);
      if (!reloaded.warning.empty()) log_line("warn", reloaded.warning);
      auto next_logs = reloaded.logs;
      write_startup_log(diag.records(), *next_logs); // apache2 logs the re-read's warnings too
      net::ServerOptions next_so = server_options_from_config(*next.config, next.fqdn);
      if (next_so.listen.empty()) throw std::runtime_error("no listening sockets available");
      if (!runtime::setup_client_tls(*next.config, next.fqdn, *next_logs, std::cerr, next_so.connection.tls,
                                     next_logs))
        throw std::runtime_error("mod_ssl could not configure a server's certificate or key");
      // Apache's new children listen exactly where the new configuration says: added addresses
      // are bound first (a failure leaves everything as it was), the new configuration is
      // published before any connection is accepted on them, then removed addresses close.
      // Unchanged ones keep their sockets. Connections already open finish as they are.
      auto snapshot = pipeline::Snapshot::build(next.config, next.fqdn, next_logs);
      bool bound = false;
      try {
        // a new port below 1024 needs the capability this thread inherited (privileges.hpp); nothing
        // after the bind gets it, not even threads started there (a health checker's)
        BindCapability bind_below_1024;
        server.update_listeners(next_so.listen, [&] {
          bind_below_1024.lower();
          bound = true;
          store.sync(*next.config);
          checker.update(next.config);
          server.update_connection_options(next_so.connection);
          pipeline->publish(std::move(snapshot));
        });
      } catch (const std::system_error& e) {
        if (bound) throw;
        // apache2 logs this and then exits ("no listening sockets available, shutting down",
        // AH00019). A server that stops on a reload because some other program holds one new
        // port is worse than one that goes on serving its running configuration, so this one
        // does that, and says so.
        if (lifecycle_logs)
          lifecycle_logs->main().error_log->target().write(bind_error_text(e, next_so.listen) + "\n",
                                                           log::kEmerg);
        throw std::runtime_error("a new Listen address cannot be bound (apache2 would shut down "
                                 "here); fix it and reload again");
      }
      so.listen = next_so.listen;
      set_checker_logs(next_logs);
      engine.close_idle();
      lifecycle_logs = next_logs;
      log_line("notice",
               "AH00489: " + std::string(next_so.connection.server_header) +
                   " configured -- resuming normal operations",
               log::mod::mpm_event);
      log_command_line(options);
    } catch (const std::exception& e) {
      log_line("error",
               std::string("graceful restart failed, keeping the running configuration: ") + e.what());
    }
  };

  // From here this thread runs the first io loop, and the signals arrive on it (signal_watch.hpp):
  // with one io loop the process is a single thread, as long as no reload or health check runs.
  std::optional<SignalWatch> signals;
  try {
    signals.emplace(server.first_loop(), set);
  } catch (const std::system_error& e) {
    log_line("error", e.what());
    exit_code = 1;
  }
  bool graceful = false;
  std::thread reloader; // runs while signals are not watched: one reload at a time, as sigwait did
  std::function<void(int)> on_signal = [&](int sig) {
    if (sig == SIGTERM || sig == SIGINT) {
      log_line("notice", "AH00491: caught SIGTERM, shutting down", log::mod::mpm_event);
      server.interrupt();
      return;
    }
    if (sig == SIGWINCH) {
      log_line("notice", "AH00492: caught SIGWINCH, shutting down gracefully", log::mod::mpm_event);
      graceful = true;
      server.interrupt();
      return;
    }
    // SIGUSR1 / SIGHUP: re-read the configuration
    log_line("notice",
             sig == SIGUSR1 ? "AH00493: SIGUSR1 received.  Doing graceful restart"
                            : "AH00494: SIGHUP received.  Attempting to restart",
             log::mod::mpm_event);
    reloader = std::thread([&] {
      reload();
      // back on the loop: the next signal is read once this thread is gone
      boost::asio::post(server.first_loop(), [&] {
        reloader.join();
        signals->async_wait(on_signal);
      });
    });
  };
  if (signals) {
    signals->async_wait(on_signal);
    server.run();
    signals.reset();
  }
  if (graceful) {
    // in-flight requests finish (up to GracefulShutdownTimeout; 0 waits for them all)
    const int grace = pipeline->current()->config->main.core.grace_period_seconds.value_or(0);
    server.graceful_stop(std::chrono::seconds(std::max(0, grace)));
  }
  server.stop();
  checker.stop();
  engine.close_idle();
  if (auto current = pipeline->current(); current && current->logs) current->logs->flush();
  lifecycle_logs.reset();
  set_checker_logs(nullptr);
  ::unlink(pid_file.c_str());
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return exit_code;
}

} // namespace balancerd::lifecycle
