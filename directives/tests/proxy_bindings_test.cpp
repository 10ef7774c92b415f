// The family's binding table against the generated registry: every directive of the modules we bind
// has a handler, every binding names a real directive, and the registry uses our handlers (which also
// makes sure this binary links the strong proxy_family_bindings, not registry.cpp's weak default).
#include "directives/modules/proxy_handlers.hpp"
#include "directives/registry.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace {

using namespace balancerd::directives;

constexpr std::string_view kBound[] = {"mod_proxy.c", "mod_proxy_hcheck.c", "mod_proxy_wstunnel.c",
                                       "mod_proxy_ftp.c", "mod_lbmethod_heartbeat.c"};

TEST(ProxyBindings, EveryDirectiveOfBoundModulesHasAHandler) {
  for (std::string_view source : kBound) {
    const ModuleDef* module = find_module_by_source(source);
    ASSERT_NE(module, nullptr) << source;
    const auto bindings = proxy::family_bindings(source);
    for (const DirectiveDef& def : module->directives) {
      const HandlerBinding* found = nullptr;
      for (const HandlerBinding& b : bindings)
        if (b.name == def.name) found = &b;
      ASSERT_NE(found, nullptr) << source << " " << def.name;
      EXPECT_NE(found->handler, nullptr) << def.name;
      EXPECT_EQ(def.handler, found->handler) << def.name << ": registry does not use the proxy handler";
      EXPECT_EQ(def.support, found->support) << def.name;
    }
    EXPECT_EQ(bindings.size(), module->directives.size()) << source;
  }
}

TEST(ProxyBindings, ModulesWithoutDirectivesBindNothing) {
  for (std::string_view source : {"mod_proxy_http.c", "mod_proxy_balancer.c", "mod_lbmethod_byrequests.c",
                                  "mod_slotmem_shm.c", "mod_proxy_ajp.c", "mod_proxy_fcgi.c"})
    EXPECT_TRUE(proxy::family_bindings(source).empty()) << source;
  EXPECT_TRUE(proxy_family_bindings("mod_headers.c").empty());
}

TEST(ProxyBindings, ProxyPassIsImplementedAndProxyBlockIsNot) {
  const ModuleDef* module = find_module_by_source("mod_proxy.c");
  ASSERT_NE(module, nullptr);
  for (const DirectiveDef& def : module->directives) {
    if (def.name == "ProxyPass") {
      EXPECT_EQ(def.support, Support::Implemented);
    }
    if (def.name == "ProxyBlock") {
      EXPECT_EQ(def.support, Support::Unsupported);
    }
  }
}

} // namespace
