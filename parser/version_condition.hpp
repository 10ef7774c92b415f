#pragma once
// <IfVersion [[!]op] version> of mod_version, answered for the Apache release we emulate.
#include <string>
#include <string_view>

namespace balancerd::parser {

struct EmulatedVersion {
  int major = 2, minor = 4, patch = 71;
};

// `args` is the section's raw argument text (ending with '>'). Returns whether the body is read;
// throws std::runtime_error with Apache's message for a malformed condition.
bool evaluate_ifversion(std::string_view args, EmulatedVersion v = {});

} // namespace balancerd::parser
