// http_family_bindings: the non-proxy modules balancerd implements, by module source name.
#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_rewrite.hpp"

#include <string_view>

namespace balancerd::directives {

std::span<const HandlerBinding> http_family_bindings(std::string_view module_source) {
  struct Entry {
    std::string_view source;
    std::span<const HandlerBinding> (*bindings)();
  };
  static constexpr Entry kEntries[] = {
      {"mod_headers.c", http::headers_bindings},
      {"mod_authz_core.c", http::authz_core_bindings},
      {"mod_access_compat.c", http::access_compat_bindings},
      {"mod_alias.c", http::alias_bindings},
      {"mod_dir.c", http::dir_bindings},
      {"mod_mime.c", http::mime_bindings},
      {"mod_log_config.c", http::log_config_bindings},
      {"mod_logio.c", http::logio_bindings},
      {"mod_ssl.c", http::ssl_bindings},
      {"mod_http2.c", http::http2_bindings},
      {"mod_reqtimeout.c", http::reqtimeout_bindings},
      {"mod_setenvif.c", http::setenvif_bindings},
      {"mod_env.c", http::env_bindings},
      {"mod_remoteip.c", http::remoteip_bindings},
      {"mod_rewrite.c", http::rewrite_bindings},
      {"mod_autoindex.c", http::autoindex_bindings},
  };
  // mod_authz_host.c and mod_status.c register no directives of their own (Require ip/host/... are
  // providers of mod_authz_core's Require; ExtendedStatus is core's).
  for (const Entry& e : kEntries)
    if (e.source == module_source) return e.bindings();
  return {};
}

} // namespace balancerd::directives
