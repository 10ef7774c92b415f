#pragma once
// mod_ssl value parsing, exposed for the handlers and tests.
#include "directives/model/ssl_conf.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace balancerd::directives::http {

// SSLProtocol / SSLProxyProtocol words ("all -SSLv3 +TLSv1.3") into SslProtocolBits; `directive`
// names the directive in the error ("SSLProtocol: Illegal protocol 'foo'").
std::optional<std::string> parse_ssl_protocols(std::string_view directive, std::string_view raw,
                                               unsigned& bits);
// Whether SSLOpenSSLConfCmd knows the command (OpenSSL's SSL_CONF file-form names).
bool is_openssl_conf_command(std::string_view name);

} // namespace balancerd::directives::http
