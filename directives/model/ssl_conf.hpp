#pragma once
// Slot for mod_ssl.
#include <string>
#include <vector>

namespace balancerd::directives {

struct SslServerConf {};
struct SslDirConf {};

}  // namespace balancerd::directives
