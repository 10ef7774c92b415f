#pragma once
// Throw-away certificates for the TLS tests: an EC P-256 key and a self-signed certificate for one
// name (CN and subjectAltName), made at run time with plain OpenSSL and written as PEM files.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <string>

namespace balancerd::net::testing {

// Writes `dir`/`stem`.crt and `dir`/`stem`.key for `name`; false when OpenSSL refused.
inline bool write_self_signed(const std::string& dir, const std::string& stem, const std::string& name) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) return false;
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, subject);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  const std::string san = "DNS:" + name;
  if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san.c_str())) {
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  bool ok = X509_sign(cert, key, EVP_sha256()) > 0;
  if (FILE* f = std::fopen((dir + "/" + stem + ".crt").c_str(), "w")) {
    ok = ok && PEM_write_X509(f, cert) == 1;
    std::fclose(f);
  } else {
    ok = false;
  }
  if (FILE* f = std::fopen((dir + "/" + stem + ".key").c_str(), "w")) {
    ok = ok && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    std::fclose(f);
  } else {
    ok = false;
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

} // namespace balancerd::net::testing
