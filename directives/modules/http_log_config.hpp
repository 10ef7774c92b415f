#pragma once
// mod_log_config's format parser, exposed for the handlers and tests.
#include "directives/model/log_conf.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace balancerd::directives::http {

// Compiles a LogFormat string; returns Apache's error ("Unrecognized LogFormat directive %Z").
std::optional<std::string> parse_log_format(std::string_view text, LogFormat& out);
// CustomLog's third argument: env=[!]VAR or expr=EXPR.
std::optional<std::string> parse_log_condition(std::string_view text, LogCondition& out);

} // namespace balancerd::directives::http
