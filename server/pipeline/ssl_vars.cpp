#include "server/pipeline/ssl_vars.hpp"

#include <openssl/opensslv.h>

#include <string>

#include "server/http/request.hpp"
#include "server/net/tls_facts.hpp"

namespace balancerd::pipeline {

namespace {

// SSLOptions is a merged list of "+Opt" / "-Opt" / "Opt" words; the last word naming StdEnvVars wins.
bool std_env_vars(const directives::DirConf& dir) {
  bool on = false;
  for (const auto& o : dir.ssl->options) {
    std::string_view w = o;
    bool value = true;
    if (!w.empty() && (w.front() == '+' || w.front() == '-')) {
      value = w.front() == '+';
      w.remove_prefix(1);
    } else {
      on = false; // a plain word replaces what was inherited
    }
    if (http::iequals(w, "StdEnvVars")) on = value;
  }
  return on;
}

} // namespace

void fill_ssl_vars(expr::VarTable& out, const net::TlsFacts& t) {
  out.clear();
  out.set("HTTPS", "on");
  if (!t.sni.empty()) out.set("SSL_TLS_SNI", t.sni);
  out.set("SSL_VERSION_INTERFACE", "mod_ssl/2.4.71");
  out.set("SSL_VERSION_LIBRARY", OPENSSL_VERSION_TEXT);
  out.set("SSL_PROTOCOL", t.protocol);
  out.set("SSL_SECURE_RENEG", "false");
  out.set("SSL_COMPRESS_METHOD", "NULL");
  out.set("SSL_CIPHER", t.cipher);
  out.set("SSL_CIPHER_EXPORT", "false");
  out.set("SSL_CIPHER_USEKEYSIZE", std::to_string(t.cipher_bits));
  out.set("SSL_CIPHER_ALGKEYSIZE", std::to_string(t.cipher_alg_bits));
  out.set("SSL_CLIENT_VERIFY", t.client_verify);
  if (!t.client_s_dn.empty()) {
    out.set("SSL_CLIENT_S_DN", t.client_s_dn);
    out.set("SSL_CLIENT_I_DN", t.client_i_dn);
  }
  out.set("SSL_SERVER_S_DN", t.server_s_dn);
  out.set("SSL_SERVER_I_DN", t.server_i_dn);
  out.set("SSL_SESSION_ID", t.session_id);
  out.set("SSL_SESSION_RESUMED", t.session_resumed ? "Resumed" : "Initial");
}

void export_ssl_env(expr::VarTable& env, const expr::VarTable& vars, const directives::DirConf& dir) {
  env.set("HTTPS", "on");
  if (!std_env_vars(dir)) return;
  for (const auto& e : vars)
    if (e.name != "HTTPS") env.set(e.name, e.value);
}

} // namespace balancerd::pipeline
