#pragma once
// Slot for mod_reqtimeout, mod_status, mod_http2.
#include <string>
#include <vector>

namespace balancerd::directives {

struct MiscServerConf {};
struct MiscDirConf {};

}  // namespace balancerd::directives
