#pragma once
// Status-line reason phrases exactly as Apache 2.4 writes them, and which statuses make it drop the
// connection after the response.
#include <string_view>

namespace balancerd::http {

// Apache's phrase for a status, or empty if Apache does not know the code (it then answers 500).
std::string_view reason_phrase(int status) noexcept;

// ap_status_drops_connection: Apache closes the connection after answering one of these.
bool status_drops_connection(int status) noexcept;

} // namespace balancerd::http
