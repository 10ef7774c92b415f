#pragma once
// Slot for mod_authz_core, mod_authz_host, mod_access_compat: the Require tree of one per-dir
// level and the old Order/Allow/Deny rules.
#include "directives/expr/expr.hpp"
#include "directives/model/ip_subnet.hpp"
#include "directives/model/source_file.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace balancerd::directives {

// Other: a provider of a module balancerd does not implement (user, valid-user, group, file-owner,
// dbm-group, ldap-*...): accepted when its module is loaded, recorded by name.
enum class AuthzProvider { All, Ip, Host, ForwardDns, Env, Method, Expr, Local, Other };

// A "Require [not] provider args" line.
struct AuthzRequire {
  AuthzProvider provider = AuthzProvider::All;
  bool negated = false;
  bool granted = true;                    // All: granted / denied
  std::vector<IpSubnet> subnets;          // Ip
  std::vector<std::string> words;         // Host/ForwardDns names, Env variables, Method names
  std::shared_ptr<const expr::Expr> expr; // Expr
  std::string name;                       // provider name as written ("ip", "valid-user"...)
  std::string args;                       // the provider arguments as written
};

enum class AuthzLogic { All, Any, None };

// A node of the tree: a Require line or a <RequireAll|Any|None> section.
struct AuthzNode {
  bool is_section = false;
  AuthzLogic logic = AuthzLogic::Any;     // sections
  AuthzRequire require;                   // lines
  std::vector<std::string> limit_methods; // from an enclosing <Limit> (empty: all methods)
  bool limit_except = false;              // ... or <LimitExcept>
  std::vector<AuthzNode> children;        // sections
  SourceFile file;
  unsigned line = 0;
};

enum class AuthMerging { Unset, Off, And, Or };

// mod_access_compat
enum class AccessOrder { Unset, DenyAllow, AllowDeny, MutualFailure };
struct AccessRule {
  enum class Kind { All, Env, EnvNot, Ip, Host };
  Kind kind = Kind::All;
  std::string text; // env name or host name (suffix match)
  IpSubnet subnet;  // Ip
  std::vector<std::string> limit_methods;
};

struct AuthzDirConf {
  // Implicit <RequireAny> holding this level's Require lines and sections; nullopt when the level
  // has none (it then inherits per AuthMerging).
  std::optional<AuthzNode> root;
  AuthMerging merging = AuthMerging::Unset;
  std::optional<bool> send_forbidden_on_failure;
  // mod_access_compat
  AccessOrder order = AccessOrder::Unset;
  std::vector<AccessRule> allow;
  std::vector<AccessRule> deny;
  std::optional<bool> satisfy_any;
};

} // namespace balancerd::directives
