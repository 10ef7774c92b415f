#include "directives/startup_checks.hpp"

#include "directives/modules/http_authz.hpp"

#include "directives/compile.hpp"
#include "directives/config_error.hpp"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace balancerd::directives {

namespace {

// Apache's compile-time limits and event/worker defaults.
constexpr int max_server_limit = 20000;
constexpr int max_thread_limit = 100000;

std::string n(int v) {
  return std::to_string(v);
}

// The checks of event's and worker's check_config hook, in their order, with their adjustments.
void check_threaded_mpm(MpmConf& mpm, Diagnostics& d) {
  int server_limit = mpm.server_limit.value_or(16);
  int thread_limit = mpm.thread_limit.value_or(64);
  int threads = mpm.threads_per_child.value_or(25);
  int workers = mpm.max_request_workers.value_or(400);
  int start = mpm.start_servers.value_or(3);
  int min_spare = mpm.min_spare_threads.value_or(75);

  if (server_limit > max_server_limit) {
    d.plain("AH00497: WARNING: ServerLimit of " + n(server_limit) + " exceeds compile-time limit of " +
            n(max_server_limit) + " servers, decreasing to " + n(max_server_limit) + ".");
    server_limit = max_server_limit;
  } else if (server_limit < 1) {
    d.plain("AH00499: WARNING: ServerLimit of " + n(server_limit) + " not allowed, increasing to 1.");
    server_limit = 1;
  }
  if (thread_limit > max_thread_limit) {
    d.plain("AH00501: WARNING: ThreadLimit of " + n(thread_limit) + " exceeds compile-time limit of " +
            n(max_thread_limit) + " threads, decreasing to " + n(max_thread_limit) + ".");
    thread_limit = max_thread_limit;
  } else if (thread_limit < 1) {
    d.plain("AH00504: WARNING: ThreadLimit of " + n(thread_limit) + " not allowed, increasing to 1.");
    thread_limit = 1;
  }
  if (threads > thread_limit) {
    d.plain("AH00507: WARNING: ThreadsPerChild of " + n(threads) + " exceeds ThreadLimit of " +
            n(thread_limit) + " threads, decreasing to " + n(thread_limit) +
            ". To increase, please see the ThreadLimit directive.");
    threads = thread_limit;
  } else if (threads < 1) {
    d.plain("AH00509: WARNING: ThreadsPerChild of " + n(threads) + " not allowed, increasing to 1.");
    threads = 1;
  }
  if (workers < threads) {
    d.plain("AH00511: WARNING: MaxRequestWorkers of " + n(workers) + " is less than ThreadsPerChild of " +
            n(threads) + ", increasing to " + n(threads) +
            ". MaxRequestWorkers must be at least as large as the number of threads in a single server.");
    workers = threads;
  }
  if (workers % threads != 0) {
    const int rounded = workers - workers % threads;
    d.plain("AH00513: WARNING: MaxRequestWorkers of " + n(workers) +
            " is not an integer multiple of ThreadsPerChild of " + n(threads) +
            ", decreasing to nearest multiple " + n(rounded) + ", for a maximum of " + n(rounded / threads) +
            " servers.");
    workers = rounded;
  }
  if (workers / threads > server_limit) {
    d.plain("AH00515: WARNING: MaxRequestWorkers of " + n(workers) + " would require " +
            n(workers / threads) + " servers and would exceed ServerLimit of " + n(server_limit) +
            ", decreasing to " + n(server_limit * threads) +
            ". To increase, please see the ServerLimit directive.");
    workers = server_limit * threads;
  }
  if (start < 1) {
    d.plain("AH00517: WARNING: StartServers of " + n(start) + " not allowed, increasing to 1.");
    start = 1;
  }
  if (min_spare < 1) {
    d.plain("AH00519: WARNING: MinSpareThreads of " + n(min_spare) +
            " not allowed, increasing to 1 to avoid almost certain server failure. Please read the "
            "documentation.");
    min_spare = 1;
  }
  mpm.server_limit = server_limit;
  mpm.thread_limit = thread_limit;
  mpm.threads_per_child = threads;
  mpm.max_request_workers = workers;
  mpm.start_servers = start;
  mpm.min_spare_threads = min_spare;
}

// core's check of the error log directories (AH02291); false if one is missing.
bool check_error_log_dir(const std::string& path, const std::string& what, Diagnostics& d) {
  if (path.empty() || path.front() == '|' || path.rfind("syslog", 0) == 0) return true;
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? std::string("./") : path.substr(0, slash + 1);
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return true;
  const int err = ::stat(dir.c_str(), &st) == 0 ? ENOTDIR : errno;
  d.plain("(" + std::to_string(err) + ")" + std::strerror(err) + ": AH02291: Cannot access directory '" +
          dir + "' for " + what);
  return false;
}

} // namespace

std::string default_error_log(const Config& config) {
  std::string root = config.server_root;
  if (!root.empty() && root.back() != '/') root += '/';
  return root + "logs/error_log";
}

std::string run_startup_checks(Config& config, Diagnostics& diagnostics) {
  return run_startup_checks(config, diagnostics, true);
}

std::string run_startup_checks(Config& config, Diagnostics& diagnostics, bool may_have_require_all) {
  std::string fqdn;
  if (config.main.core.server_name) {
    fqdn = *config.main.core.server_name;
  } else {
    const LocalHostName local = local_host_name();
    fqdn = local.name;
    if (local.guessed)
      diagnostics.plain("AH00558: " + diagnostics.program() +
                        ": Could not reliably determine the server's fully qualified domain name, using " +
                        local.name + ". Set the 'ServerName' directive globally to suppress this message");
  }

  bool logs_ok = check_error_log_dir(config.main.core.error_log.value_or(default_error_log(config)),
                                     "main error log", diagnostics);
  for (const ServerConf& vhost : config.vhosts)
    if (vhost.core.error_log)
      logs_ok &= check_error_log_dir(
          *vhost.core.error_log,
          "error log of vhost defined at " + vhost.file + ":" + std::to_string(vhost.line), diagnostics);
  if (!logs_ok) throw ConfigError(ConfigError::Kind::Other, "AH00014: Configuration check failed");
  // mod_authz_core's own check runs after core's, still before Apache calls the config good.
  if (auto authz = may_have_require_all ? check_authz_config(config) : std::nullopt)
    throw ConfigError(ConfigError::Kind::Other, *authz + "\nAH00014: Configuration check failed");

  const std::string mpm = config.main.core.mpm.value_or("");
  if (mpm == "event" || mpm == "worker") check_threaded_mpm(config.main.core.mpm_conf, diagnostics);
  return fqdn;
}

} // namespace balancerd::directives
