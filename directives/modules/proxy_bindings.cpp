// Handler bindings of the mod_proxy family, by module source name. mod_watchdog.c (compiled into
// Debian's apache2) is bound by the core family; proxy::watchdog_interval is there for it to use. Modules
// without directives (proxy_http, proxy_balancer, proxy_ajp, slotmem_shm, the other lbmethods) bind nothing;
// the other proxy_* modules (fcgi, connect, html, uwsgi, scgi, express, http2, heartmonitor) are left to the
// generic table.
#include "directives/modules/proxy_handlers.hpp"
#include "directives/registry.hpp"

namespace balancerd::directives {

namespace {

using namespace proxy;
constexpr Support kImpl = Support::Implemented;
constexpr Support kNoEffect = Support::NoEffect;
constexpr Support kUnsup = Support::Unsupported;

constexpr HandlerBinding mod_proxy[] = {
    {"<Proxy", kImpl, proxy_section},
    {"<ProxyMatch", kImpl, proxy_match_section},
    {"ProxyRequests", kImpl, proxy_requests}, // reverse proxying; forward proxying (On) is not reproduced
    {"ProxyRemote", kUnsup, proxy_remote},
    {"ProxyRemoteMatch", kUnsup, proxy_remote_match},
    {"ProxyPassInterpolateEnv", kImpl, proxy_pass_interpolate_env},
    {"ProxyPass", kImpl, proxy_pass},
    {"ProxyPassMatch", kImpl, proxy_pass_match},
    {"ProxyPassReverse", kImpl, proxy_pass_reverse},
    {"ProxyPassReverseCookiePath", kImpl, proxy_pass_reverse_cookie_path},
    {"ProxyPassReverseCookieDomain", kImpl, proxy_pass_reverse_cookie_domain},
    {"ProxyBlock", kUnsup, proxy_block},
    {"ProxyReceiveBufferSize", kImpl, proxy_receive_buffer_size},
    {"ProxyIOBufferSize", kImpl, proxy_io_buffer_size},
    {"ProxyMaxForwards", kImpl, proxy_max_forwards},
    {"NoProxy", kUnsup, no_proxy},
    {"ProxyDomain", kUnsup, proxy_domain},
    {"ProxyVia", kImpl, proxy_via},
    {"ProxyErrorOverride", kImpl, proxy_error_override},
    {"ProxyPreserveHost", kImpl, proxy_preserve_host},
    {"ProxyTimeout", kImpl, proxy_timeout},
    {"ProxyBadHeader", kImpl, proxy_bad_header},
    {"BalancerMember", kImpl, balancer_member},
    {"BalancerGrowth", kNoEffect,
     balancer_growth}, // only for balancers added at run time (not in 2.4's manager)
    {"BalancerPersist", kImpl, balancer_persist},
    {"BalancerInherit", kImpl, balancer_inherit},
    {"ProxyPassInherit", kImpl, proxy_pass_inherit},
    {"ProxyStatus", kImpl, proxy_status},
    {"ProxySet", kImpl, proxy_set},
    {"ProxySourceAddress", kImpl, proxy_source_address},
    {"ProxyAddHeaders", kImpl, proxy_add_headers},
    {"Proxy100Continue", kImpl, proxy_100_continue},
};

constexpr HandlerBinding mod_proxy_hcheck[] = {
    {"ProxyHCTemplate", kImpl, proxy_hc_template},
    {"ProxyHCExpr", kImpl, proxy_hc_expr},
    {"ProxyHCTPsize", kNoEffect, proxy_hc_tpsize}, // checks run on balancerd's own event loops
};

constexpr HandlerBinding mod_proxy_wstunnel[] = {
    {"ProxyWebsocketFallbackToProxyHttp", kImpl, proxy_websocket_fallback},
};

constexpr HandlerBinding mod_proxy_ftp[] = {
    {"ProxyFtpListOnWildcard", kUnsup, proxy_ftp_list_on_wildcard},
    {"ProxyFtpEscapeWildcards", kUnsup, proxy_ftp_escape_wildcards},
    {"ProxyFtpDirCharset", kUnsup, proxy_ftp_dir_charset},
};

constexpr HandlerBinding mod_lbmethod_heartbeat[] = {
    {"HeartbeatStorage", kUnsup, heartbeat_storage},
};

} // namespace

std::span<const HandlerBinding> proxy::family_bindings(std::string_view module_source) {
  if (module_source == "mod_proxy.c") return mod_proxy;
  if (module_source == "mod_proxy_hcheck.c") return mod_proxy_hcheck;
  if (module_source == "mod_proxy_wstunnel.c") return mod_proxy_wstunnel;
  if (module_source == "mod_proxy_ftp.c") return mod_proxy_ftp;
  if (module_source == "mod_lbmethod_heartbeat.c") return mod_lbmethod_heartbeat;
  return {};
}

// The registry's entry point. registry.cpp has a weak empty default: this strong definition replaces it
// whenever this object file is linked in.
std::span<const HandlerBinding> proxy_family_bindings(std::string_view module_source) {
  return proxy::family_bindings(module_source);
}

} // namespace balancerd::directives
