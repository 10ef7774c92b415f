#pragma once
// An SSLCACertificatePath directory read whole when a TLS context is built. OpenSSL would look its
// hashed entries up lazily, when a client certificate is verified, as the server's User by then: a
// root-only (0700) directory then fails every verification. Reading the entries at build time,
// directly or, where the User may not, through the privileged helper (privileged_helper.hpp, which
// allows only a configured directory and its hashed entries), keeps such a directory working after a
// graceful reload, as apache2's root parent reads it.
#include <string>
#include <vector>

namespace balancerd::lifecycle {

// The contents of `dir`'s entries named as OpenSSL's hashed lookup names them ("<hash>.<n>",
// "<hash>.r<n>"), in name order. An entry that cannot be read is left out (OpenSSL's lookup would
// not find it either); a directory that cannot be opened gives none.
std::vector<std::string> read_hashed_ca_files(const std::string& dir);

} // namespace balancerd::lifecycle
