#pragma once
// Slot for mod_setenvif, mod_env, mod_remoteip.
#include "directives/expr/expr.hpp"
#include "directives/model/ip_subnet.hpp"
#include "directives/model/regex.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace balancerd::directives {

struct EnvAssignment {
  std::string name;
  std::string value = "1";
  bool unset = false; // "!name"
};

struct SetEnvIfRule {
  // What is matched: a special request attribute, a header (by name or name regex), or an
  // environment variable set by an earlier SetEnvIf.
  enum class Subject {
    RemoteHost,
    RemoteAddr,
    ServerAddr,
    RequestMethod,
    RequestProtocol,
    RequestUri,
    Header,
    HeaderRegex,
    Env,
    Expr
  };
  Subject subject = Subject::Header;
  std::string name;                       // header or variable name as written
  std::optional<Regex> name_regex;        // HeaderRegex
  std::optional<Regex> regex;             // the value pattern (not for Expr)
  std::shared_ptr<const expr::Expr> expr; // SetEnvIfExpr
  std::vector<EnvAssignment> assignments;
  std::string file;
  unsigned line = 0;
};

struct EnvServerConf {
  // mod_remoteip
  std::optional<std::string> remoteip_header;
  std::optional<std::string> remoteip_proxies_header;
  std::vector<IpSubnet> trusted_proxies;  // RemoteIPTrustedProxy(+List)
  std::vector<IpSubnet> internal_proxies; // RemoteIPInternalProxy(+List)
  std::optional<bool> proxy_protocol;
  std::vector<IpSubnet> proxy_protocol_exceptions;
};

struct EnvDirConf {
  std::vector<SetEnvIfRule> setenvif; // in config order
  std::vector<EnvAssignment> setenv;  // SetEnv / UnsetEnv (unset) in order
  std::vector<std::string> passenv;   // PassEnv names (values taken at start)
};

} // namespace balancerd::directives
