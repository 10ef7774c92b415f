#pragma once
// What a request on a TLS connection can ask about it (HTTPS, SSL_PROTOCOL, SSL_CIPHER, SSL_TLS_SNI...
// as mod_ssl exports them). Plain data, filled once after the handshake; PeerInfo::tls points here
// for a TLS connection and is null for a plaintext one.
#include <string>

namespace balancerd::net {

class TlsContexts;

struct TlsFacts {
  std::string protocol;    // SSL_PROTOCOL: "TLSv1.3"
  std::string cipher;      // SSL_CIPHER: "TLS_AES_256_GCM_SHA384"
  int cipher_bits = 0;     // SSL_CIPHER_USEKEYSIZE
  int cipher_alg_bits = 0; // SSL_CIPHER_ALGKEYSIZE
  std::string sni;         // SSL_TLS_SNI: the server name the client sent ("" when none)
  std::string session_id;  // SSL_SESSION_ID (hex)
  bool session_resumed = false;
  std::string server_s_dn;   // SSL_SERVER_S_DN (RFC 2253)
  std::string server_i_dn;   // SSL_SERVER_I_DN
  std::string client_s_dn;   // SSL_CLIENT_S_DN ("" without a client certificate)
  std::string client_i_dn;   // SSL_CLIENT_I_DN
  std::string client_verify; // SSL_CLIENT_VERIFY: "NONE", "SUCCESS", "FAILED:reason"
  int sni_server = -2;       // the server the SNI selected (-1 main, vhost index; -2: no SNI match)
  // The server whose TLS setup the handshake used (the SNI's, else the address's), and the contexts
  // that can tell whether a request's vhost shares that setup (mod_ssl's 421 check).
  int handshake_server = -1;
  bool name_based = false; // the address has several vhosts (SSLStrictSNIVHostCheck's concern)
  const TlsContexts* contexts = nullptr;
};

} // namespace balancerd::net
