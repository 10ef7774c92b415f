// Every public header of the library compiles on its own.
#include "server/proxypass/backend_url.hpp"
#include "server/proxypass/canon.hpp"
#include "server/proxypass/env_lookup.hpp"
#include "server/proxypass/pass_match.hpp"
#include "server/proxypass/proxy_target.hpp"
#include "server/proxypass/reverse_map.hpp"
#include "server/proxypass/worker_lookup.hpp"

#include <gtest/gtest.h>

TEST(ProxyPassHeaders, TargetDefaults) {
  balancerd::proxypass::ProxyTarget t;
  EXPECT_EQ(t.worker, nullptr);
  EXPECT_FALSE(t.forward);
  EXPECT_TRUE(t.uds_path.empty());
}
