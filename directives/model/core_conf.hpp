#pragma once
// Slot for core, mpm_event, so, version: server-level and per-directory settings.
#include <string>
#include <vector>

namespace balancerd::directives {

struct CoreServerConf {};
struct CoreDirConf {};

}  // namespace balancerd::directives
