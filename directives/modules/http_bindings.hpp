#pragma once
// The handler tables of the http family, one per module file (http_*.cpp).
#include "directives/registry.hpp"

#include <span>

namespace balancerd::directives::http {

std::span<const HandlerBinding> headers_bindings();       // mod_headers.c
std::span<const HandlerBinding> authz_core_bindings();    // mod_authz_core.c
std::span<const HandlerBinding> access_compat_bindings(); // mod_access_compat.c
std::span<const HandlerBinding> alias_bindings();         // mod_alias.c
std::span<const HandlerBinding> dir_bindings();           // mod_dir.c
std::span<const HandlerBinding> mime_bindings();          // mod_mime.c
std::span<const HandlerBinding> log_config_bindings();    // mod_log_config.c
std::span<const HandlerBinding> logio_bindings();         // mod_logio.c
std::span<const HandlerBinding> ssl_bindings();           // mod_ssl.c
std::span<const HandlerBinding> http2_bindings();         // mod_http2.c
std::span<const HandlerBinding> reqtimeout_bindings();    // mod_reqtimeout.c
std::span<const HandlerBinding> setenvif_bindings();      // mod_setenvif.c
std::span<const HandlerBinding> env_bindings();           // mod_env.c
std::span<const HandlerBinding> remoteip_bindings();      // mod_remoteip.c
std::span<const HandlerBinding> autoindex_bindings();     // mod_autoindex.c

} // namespace balancerd::directives::http
