#pragma once
// What Apache checks and prints once the walk pass is done, even under -t: the server name guess
// (AH00558) and the MPM's sanity warnings (AH00511...). Values are adjusted as Apache adjusts them.
#include "directives/diagnostics.hpp"
#include "directives/model/config.hpp"

#include <string>

namespace balancerd::directives {

// Returns the main server's name (ServerName's host, or the guessed one). Throws ConfigError
// ("AH00014: Configuration check failed") when an error log directory is missing.
// ServerRoot/logs/error_log, Apache's default ErrorLog.
std::string default_error_log(const Config& config);

std::string run_startup_checks(Config& config, Diagnostics& diagnostics);
// The same; `may_have_require_all` false (the walk opened no <RequireAll>) skips mod_authz_core's
// check, which can only fail on one: it reads every section of every vhost again, a few percent of
// a large config test in cache misses.
std::string run_startup_checks(Config& config, Diagnostics& diagnostics, bool may_have_require_all);

} // namespace balancerd::directives
