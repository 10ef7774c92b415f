#pragma once
// ASCII case-insensitive helpers: Apache compares directive, section and module names this way.
// One implementation for the whole code base (parser/ascii_case.hpp, the lowest layer), named
// here for directives and the server.
#include "parser/ascii_case.hpp"

namespace balancerd::directives {

using parser::ascii_lower;
using parser::ascii_upper;
using parser::ci_equal;
using parser::ci_starts_with;

} // namespace balancerd::directives
