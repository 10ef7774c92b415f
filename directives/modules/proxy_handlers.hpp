#pragma once
// Handlers of the mod_proxy family, bound by name in proxy_bindings.cpp. Each returns Apache's error
// text or nothing; see registry.hpp for how arguments arrive (RawArgs: the raw string in args[0]).
#include "directives/cmd_parms.hpp"
#include "directives/registry.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace balancerd::directives::proxy {

// The family's binding table for a module source (what proxy_family_bindings returns).
std::span<const HandlerBinding> family_bindings(std::string_view module_source);

using Args = std::span<const std::string>;
using Result = std::optional<std::string>;

// proxy_pass_directives.cpp
Result proxy_pass(CmdParms& cmd, Args args);
Result proxy_pass_match(CmdParms& cmd, Args args);
Result proxy_pass_reverse(CmdParms& cmd, Args args);
Result proxy_pass_reverse_cookie_path(CmdParms& cmd, Args args);
Result proxy_pass_reverse_cookie_domain(CmdParms& cmd, Args args);

// proxy_balancer_directives.cpp
Result balancer_member(CmdParms& cmd, Args args);
Result proxy_set(CmdParms& cmd, Args args);
Result proxy_section(CmdParms& cmd, Args args);
Result proxy_match_section(CmdParms& cmd, Args args);

// proxy_server_directives.cpp
Result proxy_requests(CmdParms& cmd, Args args);
Result proxy_remote(CmdParms& cmd, Args args);
Result proxy_remote_match(CmdParms& cmd, Args args);
Result proxy_pass_interpolate_env(CmdParms& cmd, Args args);
Result proxy_block(CmdParms& cmd, Args args);
Result no_proxy(CmdParms& cmd, Args args);
Result proxy_domain(CmdParms& cmd, Args args);
Result proxy_receive_buffer_size(CmdParms& cmd, Args args);
Result proxy_io_buffer_size(CmdParms& cmd, Args args);
Result proxy_max_forwards(CmdParms& cmd, Args args);
Result proxy_via(CmdParms& cmd, Args args);
Result proxy_error_override(CmdParms& cmd, Args args);
Result proxy_preserve_host(CmdParms& cmd, Args args);
Result proxy_timeout(CmdParms& cmd, Args args);
Result proxy_bad_header(CmdParms& cmd, Args args);
Result balancer_growth(CmdParms& cmd, Args args);
Result balancer_persist(CmdParms& cmd, Args args);
Result balancer_inherit(CmdParms& cmd, Args args);
Result proxy_pass_inherit(CmdParms& cmd, Args args);
Result proxy_status(CmdParms& cmd, Args args);
Result proxy_source_address(CmdParms& cmd, Args args);
Result proxy_add_headers(CmdParms& cmd, Args args);
Result proxy_100_continue(CmdParms& cmd, Args args);

// proxy_family_directives.cpp (hcheck, wstunnel, ftp, lbmethod_heartbeat, watchdog)
Result proxy_hc_template(CmdParms& cmd, Args args);
Result proxy_hc_expr(CmdParms& cmd, Args args);
Result proxy_hc_tpsize(CmdParms& cmd, Args args);
Result proxy_websocket_fallback(CmdParms& cmd, Args args);
Result proxy_ftp_list_on_wildcard(CmdParms& cmd, Args args);
Result proxy_ftp_escape_wildcards(CmdParms& cmd, Args args);
Result proxy_ftp_dir_charset(CmdParms& cmd, Args args);
Result heartbeat_storage(CmdParms& cmd, Args args);
Result watchdog_interval(CmdParms& cmd, Args args);

} // namespace balancerd::directives::proxy
