#pragma once
// Slot for mod_log_config and ErrorLog-related settings of other modules.
#include <string>
#include <vector>

namespace balancerd::directives {

struct LogServerConf {};
struct LogDirConf {};

}  // namespace balancerd::directives
