#pragma once
// Handlers of the core family (core.c, http_core.c, the MPMs, mod_so, mod_version, mod_unixd),
// grouped by concern in core_*.cpp; core_bindings.cpp binds them to the generated entries.
#include "directives/cmd_parms.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace balancerd::directives::core {

using Args = std::span<const std::string>;
using Result = std::optional<std::string>;

// core_sections.cpp
Result virtual_host(CmdParms&, Args);
Result directory(CmdParms&, Args);
Result directory_match(CmdParms&, Args);
Result files(CmdParms&, Args);
Result files_match(CmdParms&, Args);
Result location(CmdParms&, Args);
Result location_match(CmdParms&, Args);
Result if_section(CmdParms&, Args);
Result elseif_section(CmdParms&, Args);
Result else_section(CmdParms&, Args);
Result limit(CmdParms&, Args);
Result limit_except(CmdParms&, Args);

// core_names.cpp
Result server_name(CmdParms&, Args);
Result server_alias(CmdParms&, Args);
Result server_admin(CmdParms&, Args);
Result document_root(CmdParms&, Args);
Result use_canonical_name(CmdParms&, Args);
Result hostname_lookups(CmdParms&, Args);

// core_listen.cpp
Result listen(CmdParms&, Args);
Result listen_backlog(CmdParms&, Args);

// core_connection.cpp
Result timeout(CmdParms&, Args);
Result keep_alive(CmdParms&, Args);
Result keep_alive_timeout(CmdParms&, Args);
Result max_keep_alive_requests(CmdParms&, Args);
Result limit_request_line(CmdParms&, Args);
Result limit_request_field_size(CmdParms&, Args);
Result limit_request_fields(CmdParms&, Args);
Result limit_request_body(CmdParms&, Args);
Result http_protocol_options(CmdParms&, Args);
Result trace_enable(CmdParms&, Args);
Result protocols(CmdParms&, Args);
Result protocols_honor_order(CmdParms&, Args);
Result merge_slashes(CmdParms&, Args);
Result allow_encoded_slashes(CmdParms&, Args);

// core_logging.cpp
Result log_level(CmdParms&, Args);
Result error_log(CmdParms&, Args);
Result error_log_format(CmdParms&, Args);

// core_misc.cpp
Result server_tokens(CmdParms&, Args);
Result server_signature(CmdParms&, Args);
Result options(CmdParms&, Args);
Result allow_override(CmdParms&, Args);
Result error_document(CmdParms&, Args);
Result set_handler(CmdParms&, Args);
Result add_default_charset(CmdParms&, Args);
Result default_type(CmdParms&, Args);
Result force_type(CmdParms&, Args);
Result file_etag(CmdParms&, Args);
Result pid_file(CmdParms&, Args);
Result mutex(CmdParms&, Args);
Result error_directive(CmdParms&, Args);
Result user(CmdParms&, Args);
Result group(CmdParms&, Args);
Result global_only(CmdParms&, Args);
Result name_virtual_host(CmdParms&, Args); // only ap_check_cmd_context(GLOBAL_ONLY)

// core_mpm.cpp
Result start_servers(CmdParms&, Args);
Result server_limit(CmdParms&, Args);
Result thread_limit(CmdParms&, Args);
Result threads_per_child(CmdParms&, Args);
Result max_request_workers(CmdParms&, Args);
Result min_spare_threads(CmdParms&, Args);
Result max_spare_threads(CmdParms&, Args);
Result min_spare_servers(CmdParms&, Args);
Result max_spare_servers(CmdParms&, Args);
Result max_connections_per_child(CmdParms&, Args);
Result async_request_worker_factor(CmdParms&, Args);
Result graceful_shutdown_timeout(CmdParms&, Args);

// Shared helpers (core_util.cpp).
// The words of the arguments whatever the entry's shape (RawArgs: split the raw text).
std::vector<std::string> word_list(const CmdParms& cmd, Args args);
int apache_atoi(const std::string& s); // atoi: leading digits, 0 if none
// Apache's ap_timeout_parameter_parse: "30", "500ms", "10s", "2mi", "1h"; default unit seconds.
std::optional<long long> parse_time_ms(const std::string& s);
// Path relative to ServerRoot made absolute (ap_server_root_relative); pipes and "syslog" untouched.
std::string server_root_relative(const CmdParms& cmd, const std::string& path);

} // namespace balancerd::directives::core
