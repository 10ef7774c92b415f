#pragma once
// Access control on the request path: mod_authz_core's Require trees (all, ip, local, host, method,
// env, expr, RequireAll/Any/None, <Limit>) and mod_access_compat's Order/Allow/Deny/Satisfy, over the
// request's merged per-directory settings (server/access/authz.hpp does the deciding).
#include "directives/model/authz_conf.hpp"
#include "server/pipeline/request_state.hpp"

namespace balancerd::pipeline {

// 200 to go on, 403 when refused, 500 when a Require expr could not be evaluated.
int access_status(const directives::AuthzDirConf& authz, RequestState& st);

} // namespace balancerd::pipeline
