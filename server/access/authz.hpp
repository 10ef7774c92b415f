#pragma once
// Authorization as mod_authz_core, mod_authz_host and mod_access_compat decide it, over the merged
// per-dir AuthzDirConf of a request.
//
// Require trees: each line or section yields granted, denied or neutral. A section of All combines
// its children as "denied if any is denied, else granted if any is granted, else neutral"; Any as
// "granted if any is granted, else denied if any is denied, else neutral"; None is Any negated.
// `not` (and None) turns granted into denied and denied into neutral: a negation can refuse but
// never grant. A node restricted by <Limit>/<LimitExcept> to other methods counts as granted under
// an All parent and neutral under an Any parent; the implicit per-dir <RequireAny> (and the joins
// AuthMerging makes) is restricted to the union of its children's methods, so a per-dir level whose
// only Require lines sit in <Limit GET> lets POST through, as Apache does. At the top, only granted
// grants: denied and neutral give 403.
//
// Order/Allow/Deny (mod_access_compat) run first. With Satisfy All (the default) their refusal is
// final and the Require tree decides otherwise; with Satisfy Any their approval grants at once
// (even a level with no Allow/Deny lines approves under the default Order deny,allow) and
// the Require tree decides otherwise. Checked against apache2 2.4.71 (server/tests/access_*.cpp).
//
// 401 never happens: there are no authentication modules, so user/group providers are rejected
// when the configuration is read and no AuthType can make a denial ask for credentials.
#include "directives/model/authz_conf.hpp"
#include "server/access/host_resolver.hpp"
#include "server/expr/expr_context.hpp"
#include "server/expr/expr_eval.hpp"

#include <string>
#include <string_view>

namespace balancerd::access {

enum class AuthzStatus { Denied, Granted, Neutral, GeneralError };

enum class AccessResult {
  Granted,
  Forbidden,   // 403
  ServerError, // 500: a Require expr that failed to evaluate (AUTHZ_GENERAL_ERROR)
};

enum class DeniedBy { None, AuthzCore, AccessCompat };

struct AccessDecision {
  AccessResult result = AccessResult::Granted;
  DeniedBy denied_by = DeniedBy::None;
  // HTTP status to answer with (200 meaning "go on").
  int status() const {
    return result == AccessResult::Granted ? 200 : result == AccessResult::Forbidden ? 403 : 500;
  }
};

// What a check needs beyond the ExprContext (method, client address, env...).
struct AccessEnv {
  expr::ExprContext& ctx;
  HostResolver* resolver = nullptr;     // null: host names never match (no lookups)
  expr::Evaluator* evaluator = nullptr; // null: Evaluator::this_thread()
};

AccessDecision check_access(const directives::AuthzDirConf& conf, const AccessEnv& env);

// One node of a Require tree, as its parent (of `parent_logic`) sees it. For tests and debugging.
AuthzStatus evaluate_authz(const directives::AuthzNode& node, directives::AuthzLogic parent_logic,
                           const AccessEnv& env);

// mod_access_compat alone: true when Order/Allow/Deny let the request through.
bool access_compat_allows(const directives::AuthzDirConf& conf, const AccessEnv& env);

// The error-log text Apache writes for a denial, without the "[authz_core:error] [client ...]"
// prefix: "AH01630: client denied by server configuration: /var/www/x" (authz_core) or
// "AH01797: ..." (access_compat). `filename` is r->filename (for a proxied request
// "proxy:http://backend/x"); when empty Apache names the URI: "...configuration: uri /x".
std::string denial_log_message(DeniedBy who, std::string_view filename, std::string_view uri);
// The module name the log line carries ("authz_core" / "access_compat").
std::string_view denial_log_module(DeniedBy who);

// Whether a request method falls within a <Limit> (or <LimitExcept> when `except`) method list.
// HEAD counts as GET (Apache gives HEAD requests GET's method number), both in the list and in
// the request; names are case-sensitive.
bool method_in_limit(const std::vector<std::string>& methods, bool except, std::string_view method);

} // namespace balancerd::access
