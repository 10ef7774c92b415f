#pragma once
// mod_ssl's per-request variables on a TLS connection: the table ssl_var() answers from
// (%{SSL_PROTOCOL}x, %{SSL:...} and %{SSL_*} in expressions, Header's %{...}s), and the environment
// its fixup exports (HTTPS=on always; SSL_* with SSLOptions +StdEnvVars).
#include "directives/model/config.hpp"
#include "server/expr/var_table.hpp"

namespace balancerd::net {
struct TlsFacts;
}

namespace balancerd::pipeline {

// Replaces `out` with the connection's variables (SSL_PROTOCOL, SSL_CIPHER, SSL_TLS_SNI...).
void fill_ssl_vars(expr::VarTable& out, const net::TlsFacts& tls);

// The fixup: HTTPS=on, and with +StdEnvVars in `dir`'s SSLOptions every variable of `vars`.
void export_ssl_env(expr::VarTable& env, const expr::VarTable& vars, const directives::DirConf& dir);

} // namespace balancerd::pipeline
