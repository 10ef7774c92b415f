#pragma once
// The request methods Apache knows without extensions (its method registry): <Limit> and Require
// method accept only these, and HttpProtocolOptions RegisteredMethods answers 501 to the rest.
// The order is that of server/http/method.hpp's Method enum, which indexes this table.
#include <array>
#include <string_view>

namespace balancerd::directives {

inline constexpr std::array<std::string_view, 27> kRegisteredMethods = {"GET",
                                                                        "HEAD",
                                                                        "POST",
                                                                        "PUT",
                                                                        "DELETE",
                                                                        "CONNECT",
                                                                        "OPTIONS",
                                                                        "TRACE",
                                                                        "PATCH",
                                                                        "PROPFIND",
                                                                        "PROPPATCH",
                                                                        "MKCOL",
                                                                        "COPY",
                                                                        "MOVE",
                                                                        "LOCK",
                                                                        "UNLOCK",
                                                                        "VERSION-CONTROL",
                                                                        "CHECKOUT",
                                                                        "UNCHECKOUT",
                                                                        "CHECKIN",
                                                                        "UPDATE",
                                                                        "LABEL",
                                                                        "REPORT",
                                                                        "MKWORKSPACE",
                                                                        "MKACTIVITY",
                                                                        "BASELINE-CONTROL",
                                                                        "MERGE"};

} // namespace balancerd::directives
