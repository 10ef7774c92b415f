#pragma once
// Slot for mod_authz_core, mod_authz_host, mod_access_compat.
#include <string>
#include <vector>

namespace balancerd::directives {

struct AuthzDirConf {};

}  // namespace balancerd::directives
