#pragma once
// A <VirtualHost> over the main server, for the server-level slots (what Apache's
// merge_*_server_config functions and ap_fixup_virtual_hosts do at startup):
//  - core: unset settings are inherited (ServerName, Timeout, KeepAlive*, LimitRequest*, TraceEnable,
//    Protocols, MergeSlashes, ErrorLog...); ServerAlias and addresses are the vhost's own; global
//    settings (Listen, PidFile, User, MPM, ServerTokens...) are the main server's.
//  - proxy: the main server's workers and (BalancerInherit, default On) balancers come first, the
//    vhost's after; ProxyPass rules likewise when ProxyPassInherit is On (the default), so the main
//    server's rules are tried first; ProxyBlock/NoProxy/ProxyRemote append; scalars override.
//  - ssl: override when set (certificate lists replace); session cache and other globals are main's.
//  - log: LogFormat nicknames overlay; a vhost without CustomLog/TransferLog logs to the main
//    server's logs; GlobalLog entries of the main server apply everywhere.
//  - mapping: Alias/Redirect rules of the vhost first, then the main server's (mod_alias).
//  - env (mod_remoteip): override when set, proxy lists replace.
//  - misc: RequestReadTimeout stages and H2 settings override when set.
// The per-dir level written directly in the vhost is merged over the main server's with merge_dir.
#include "directives/model/config.hpp"
#include "server/http/read_timeout.hpp"

namespace balancerd::runtime {

// The effective ServerConf of `vhost`. `sections` of the result holds the vhost's own sections only
// (the section walk combines them with the main server's in Apache's order).
directives::ServerConf merge_server(const directives::ServerConf& main, const directives::ServerConf& vhost);

// The misc slot alone (RequestReadTimeout, H2*): what the listener needs per vhost without the rest.
directives::MiscServerConf merge_misc_server(const directives::MiscServerConf& main,
                                             const directives::MiscServerConf& vhost);

// mod_reqtimeout's stages of a (merged) server: RequestReadTimeout's values, the module's defaults
// where it sets none; all off when the module is not `loaded`.
http::RequestReadTimeouts request_read_timeouts(const directives::MiscServerConf& misc, bool loaded);

} // namespace balancerd::runtime
