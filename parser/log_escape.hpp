#pragma once
// How Apache renders text in its error output (ap_escape_errorlog_item): a backslash doubles,
// \b \n \r \t \v are written as such, any other control byte or byte >= 0x7f as \xhh. Build-pass
// errors (ReadError::what()) are already escaped; the walk pass needs the same for names like
// '\xef\xbb\xbfServerName'.
#include <string>
#include <string_view>

namespace balancerd::parser {

std::string escape_for_log(std::string_view text);

} // namespace balancerd::parser
