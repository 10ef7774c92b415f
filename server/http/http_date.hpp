#pragma once
// The Date header value (RFC 1123, "Tue, 24 Nov 2026 04:07:06 GMT"), formatted at most once a second
// per thread.
#include <ctime>
#include <string_view>

namespace balancerd::http {

// Valid until the calling thread's next call in a later second.
std::string_view http_date_now() noexcept;
// Formats t into out (29 chars); returns the view.
std::string_view format_http_date(std::time_t t, char (&out)[32]) noexcept;

} // namespace balancerd::http
