#pragma once
// mod_headers' directive parsing, exposed for the handlers and tests.
#include "directives/model/headers_conf.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::directives::http {

// "Header [always|onsuccess] action header [value [replacement]] [early|env=..|expr=..]" (or
// RequestHeader's form, `request`): fills `rule` except file/line; returns Apache's error text.
std::optional<std::string> parse_header_directive(std::string_view raw_args, bool request, HeaderRule& rule);
// A Header value with %t, %D, %{VAR}e, %{VAR}s, %l, %i, %b and %%.
std::optional<std::string> parse_header_format(std::string_view text, std::vector<HeaderFormatItem>& out);

} // namespace balancerd::directives::http
