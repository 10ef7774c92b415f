#pragma once
// One directive dispatched by the walk pass, for -D DUMP_COMPAT (support level per use).
#include "directives/registry.hpp"

#include <string>

namespace balancerd::directives {

struct DirectiveUse {
  std::string name;   // canonical spelling
  std::string module; // module id
  std::string file;
  unsigned line = 0;
  Support support = Support::Unsupported;
};

} // namespace balancerd::directives
