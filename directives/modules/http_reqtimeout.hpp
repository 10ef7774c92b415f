#pragma once
// mod_reqtimeout's RequestReadTimeout parsing, exposed for the handler and tests.
#include "directives/model/misc_conf.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace balancerd::directives::http {

// The words of "RequestReadTimeout handshake=.. header=20-40,MinRate=500 body=..." applied to
// `conf` in order; Apache's message on the first bad word.
std::optional<std::string> parse_request_read_timeout(std::string_view raw, MiscServerConf& conf);

} // namespace balancerd::directives::http
