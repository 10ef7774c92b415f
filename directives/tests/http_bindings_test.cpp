// The http family's binding tables: every directive they bind exists in the registry with the same
// handler, and every directive of a bound module has a handler or a deliberate support level.
#include "directives/registry.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace {

using namespace balancerd::directives;

constexpr std::string_view kSources[] = {
    "mod_headers.c",    "mod_authz_core.c", "mod_access_compat.c", "mod_alias.c",   "mod_dir.c",
    "mod_mime.c",       "mod_log_config.c", "mod_logio.c",         "mod_ssl.c",     "mod_http2.c",
    "mod_reqtimeout.c", "mod_setenvif.c",   "mod_env.c",           "mod_remoteip.c"};

TEST(HttpBindings, EveryBoundModuleHasBindings) {
  for (std::string_view source : kSources) EXPECT_FALSE(http_family_bindings(source).empty()) << source;
  EXPECT_TRUE(http_family_bindings("mod_proxy.c").empty());
}

TEST(HttpBindings, RegistryUsesOurHandlers) {
  for (std::string_view source : kSources) {
    const ModuleDef* module = find_module_by_source(source);
    ASSERT_NE(module, nullptr) << source;
    for (const HandlerBinding& b : http_family_bindings(source)) {
      const DirectiveDef* found = nullptr;
      for (const DirectiveDef& d : module->directives)
        if (d.name == b.name) found = &d;
      ASSERT_NE(found, nullptr) << b.name << " is not a directive of " << source;
      EXPECT_EQ(found->handler, b.handler) << b.name;
      EXPECT_EQ(found->support, b.support) << b.name;
    }
  }
}

} // namespace
