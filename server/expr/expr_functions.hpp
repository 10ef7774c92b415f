#pragma once
// The string functions of ap_expr that do not depend on the request (tolower(), escape(), md5()...),
// each appending its result to `out`. Internal to server/expr/ but usable elsewhere.
#include <string>
#include <string_view>

namespace balancerd::expr {

void append_lower(std::string& out, std::string_view in);
void append_upper(std::string& out, std::string_view in);
// ap_escape_uri: %xx (lower-case hex) for everything but letters, digits and $-_.+!*'(),:@&=/~
void append_uri_escaped(std::string& out, std::string_view in);
// ap_unescape_url_keep2f: %xx decoded except %2F; false (out untouched) on a bad escape.
bool append_uri_unescaped(std::string& out, std::string_view in);
void append_base64(std::string& out, std::string_view in);
void append_unbase64(std::string& out, std::string_view in);
void append_md5_hex(std::string& out, std::string_view in);
void append_sha1_hex(std::string& out, std::string_view in);
// apr_escape_ldap (filter and DN characters as \xx).
void append_ldap_escaped(std::string& out, std::string_view in);
// apr_atoi64 as ap_expr's numeric comparisons use it: blanks, sign, digits; 0 when none.
long long leading_integer(std::string_view s) noexcept;
// -T: false for "", "0", "off", "no", "false" (any case).
bool is_true_text(std::string_view s) noexcept;

} // namespace balancerd::expr
