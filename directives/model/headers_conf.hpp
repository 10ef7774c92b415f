#pragma once
// Slot for mod_headers.
#include <string>
#include <vector>

namespace balancerd::directives {

struct HeadersDirConf {};

}  // namespace balancerd::directives
