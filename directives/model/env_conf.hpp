#pragma once
// Slot for mod_setenvif, mod_env, mod_remoteip.
#include <string>
#include <vector>

namespace balancerd::directives {

struct EnvServerConf {};
struct EnvDirConf {};

}  // namespace balancerd::directives
