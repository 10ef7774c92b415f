#pragma once
// Modules that cannot be loaded without another one: dlopen fails on a symbol the other module
// exports. Probed on Debian's apache2 2.4.71 by loading each module without its Depends: modules.
#include <span>
#include <string_view>

namespace balancerd::directives {

struct LinkDependency {
  std::string_view module; // "proxy_http_module"
  std::string_view needs;  // "proxy_module"
  std::string_view symbol; // the first symbol dlopen cannot resolve without it
};

std::span<const LinkDependency> link_dependencies();

} // namespace balancerd::directives
