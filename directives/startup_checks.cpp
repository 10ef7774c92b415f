#include "directives/startup_checks.hpp"

#include "directives/compile.hpp"

namespace balancerd::directives {

namespace {

// event and worker share these checks (AH00511 and friends); prefork has its own subset.
void check_threaded_mpm(MpmConf& mpm, Diagnostics& diagnostics) {
  const int threads_per_child = mpm.threads_per_child.value_or(25);
  if (mpm.max_request_workers && *mpm.max_request_workers < threads_per_child) {
    diagnostics.plain("AH00511: WARNING: MaxRequestWorkers of " + std::to_string(*mpm.max_request_workers) +
                      " is less than ThreadsPerChild of " + std::to_string(threads_per_child) +
                      ", increasing to " + std::to_string(threads_per_child) +
                      ". MaxRequestWorkers must be at least as large as the number of threads in a single "
                      "server.");
    mpm.max_request_workers = threads_per_child;
  }
}

} // namespace

std::string run_startup_checks(Config& config, Diagnostics& diagnostics) {
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
  const std::string mpm = config.main.core.mpm.value_or("");
  if (mpm == "event" || mpm == "worker") check_threaded_mpm(config.main.core.mpm_conf, diagnostics);
  return fqdn;
}

} // namespace balancerd::directives
