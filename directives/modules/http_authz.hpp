#pragma once
// mod_authz_core / mod_authz_host / mod_access_compat parsing, exposed for handlers, tests and the
// post-walk check.
#include "directives/cmd_parms.hpp"
#include "directives/model/authz_conf.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives::http {

// "Require [not] provider args" (the raw arguments): fills `out` or returns Apache's error.
// The ip/host/forward-dns/local providers exist only with mod_authz_host loaded.
// `other_providers`: loaded providers balancerd does not implement ("valid-user"...), accepted as
// AuthzProvider::Other.
std::optional<std::string> parse_require_line(std::string_view raw, bool authz_host_loaded, AuthzRequire& out,
                                              const std::vector<std::string>& other_providers = {});
std::optional<std::string> parse_require_line(const CmdParms& cmd, std::string_view raw, AuthzRequire& out);
// "Allow|Deny from WHERE" (one WHERE at a time, as Apache's ITERATE2 calls it).
std::optional<std::string> parse_access_rule(std::string_view from, std::string_view where, AccessRule& out);

} // namespace balancerd::directives::http

namespace balancerd::directives {

// Apache's mod_authz_core check after the walk (check_config hook): a <RequireAll> whose children
// are all negative. The text is the log line ("AH01624: ..."); configtest then fails with
// "AH00014: Configuration check failed". Nothing if the config is fine.
std::optional<std::string> check_authz_config(const Config& config);

} // namespace balancerd::directives
