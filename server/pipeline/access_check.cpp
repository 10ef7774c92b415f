#include "server/pipeline/access_check.hpp"

#include "server/access/authz.hpp"

namespace balancerd::pipeline {

int access_status(const directives::AuthzDirConf& authz, RequestState& st) {
  // nothing configured at any level: authz_core grants
  if (!authz.root && authz.allow.empty() && authz.deny.empty() &&
      authz.order == directives::AccessOrder::Unset)
    return 200;
  access::AccessEnv env{st.ctx};
  return access::check_access(authz, env).status();
}

} // namespace balancerd::pipeline
