#pragma once
// Slot for mod_alias, mod_dir, mod_mime.
#include <string>
#include <vector>

namespace balancerd::directives {

struct MappingServerConf {};
struct MappingDirConf {};

}  // namespace balancerd::directives
