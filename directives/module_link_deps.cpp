#include "directives/module_link_deps.hpp"

namespace balancerd::directives {

namespace {
// Checked in this order: for a module with two entries, the first is what dlopen reports first.
constexpr LinkDependency table[] = {
    {"cache_disk_module", "cache_module", "ap_cache_cacheable_headers_in"},
    {"cache_socache_module", "cache_module", "ap_cache_cacheable_headers_in"},
    {"dav_fs_module", "dav_module", "dav_do_find_liveprop"},
    {"dav_lock_module", "dav_module", "dav_push_error"},
    {"proxy_ajp_module", "proxy_module", "proxy_module"},
    {"proxy_balancer_module", "proxy_module", "proxy_hcmethods"},
    {"proxy_connect_module", "proxy_module", "ap_proxy_tunnel_create"},
    {"proxy_express_module", "proxy_module", "proxy_module"},
    {"proxy_fcgi_module", "proxy_module", "proxy_module"},
    {"proxy_fdpass_module", "proxy_module", "proxy_hook_canon_handler"},
    {"proxy_ftp_module", "proxy_module", "ap_proxy_canonenc"},
    {"proxy_hcheck_module", "proxy_module", "proxy_hcmethods"},
    {"proxy_http_module", "proxy_module", "ap_proxy_location_reverse_map"},
    {"proxy_http2_module", "proxy_module", "ap_proxy_location_reverse_map"},
    {"proxy_scgi_module", "proxy_module", "proxy_hook_canon_handler"},
    {"proxy_uwsgi_module", "proxy_module", "proxy_module"},
    {"proxy_wstunnel_module", "proxy_module", "ap_proxy_pass_brigade"},
    {"session_cookie_module", "session_module", "ap_hook_session_save"},
    {"session_crypto_module", "session_module", "ap_hook_session_encode"},
    {"session_dbd_module", "session_module", "ap_hook_session_save"},
};
} // namespace

std::span<const LinkDependency> link_dependencies() {
  return table;
}

} // namespace balancerd::directives
