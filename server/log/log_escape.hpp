#pragma once
// The two escapings Apache applies to logged data, appending to a reused buffer.
#include <string>
#include <string_view>

namespace balancerd::log {

// mod_log_config's: '"' and '\' backslashed, \b \n \r \t \v by name, other control and non-ASCII
// bytes as \xhh.
void append_access_escaped(std::string& out, std::string_view text);

// The error log's: as above but '"' stays as is (directives::escape_log_text does the same for
// config-time lines).
void append_error_escaped(std::string& out, std::string_view text);

} // namespace balancerd::log
