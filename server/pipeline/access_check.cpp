#include "server/pipeline/access_check.hpp"

#include "server/access/authz.hpp"
#include "server/access/host_cache.hpp"

namespace balancerd::pipeline {

int access_status(const directives::AuthzDirConf& authz, RequestState& st) {
  // nothing configured at any level: authz_core grants
  if (!authz.root && authz.allow.empty() && authz.deny.empty() &&
      authz.order == directives::AccessOrder::Unset)
    return 200;
  // Require host / Allow from <name> look the client up (cached per thread; see host_cache.hpp)
  access::AccessEnv env{st.ctx, &access::thread_host_resolver()};
  return access::check_access(authz, env).status();
}

} // namespace balancerd::pipeline
