// mod_authz_core (Require, <RequireAll|Any|None>, AuthMerging), the providers of mod_authz_host
// (ip, host, forward-dns, local), and mod_access_compat (Order, Allow, Deny, Satisfy).
#include "directives/modules/http_authz.hpp"
#include "directives/model/registered_methods.hpp"

#include "directives/dispatcher.hpp"
#include "directives/modules/http_bindings.hpp"
#include "directives/modules/http_util.hpp"
#include "parser/words.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace balancerd::directives::http {
namespace {

std::string_view section_name(AuthzLogic logic) {
  switch (logic) {
  case AuthzLogic::All:
    return "<RequireAll>";
  case AuthzLogic::Any:
    return "<RequireAny>";
  case AuthzLogic::None:
    return "<RequireNone>";
  }
  return "";
}

// The <RequireAll|Any|None> sections being walked, innermost last. A Require line goes into the
// innermost one when it stands inside it, else into its per-dir config's implicit <RequireAny>.
struct OpenSection {
  AuthzNode* node;
};
thread_local std::vector<OpenSection> open_sections;

// Whether the innermost enclosing section, looking through <Limit>/<LimitExcept> (which open their
// own per-dir section here but, in Apache, only narrow methods), is a <RequireAll|Any|None>.
bool inside_require_section(const CmdParms& cmd) {
  for (auto it = cmd.parents.rbegin(); it != cmd.parents.rend(); ++it) {
    const std::string& n = (*it)->name;
    if (ci_equal(n, "<Limit") || ci_equal(n, "<LimitExcept")) continue;
    return ci_equal(n, "<RequireAll") || ci_equal(n, "<RequireAny") || ci_equal(n, "<RequireNone");
  }
  return false;
}

AuthzNode& current_parent(CmdParms& cmd) {
  if (!open_sections.empty() && inside_require_section(cmd)) return *open_sections.back().node;
  DirConf& dir = cmd.dir();
  if (!dir.authz->root) {
    AuthzNode& root = dir.authz->root.emplace(); // in place: an AuthzNode is over 200 bytes
    root.is_section = true;
    root.logic = AuthzLogic::Any;
  }
  return *dir.authz->root;
}

// An enclosing <Limit>/<LimitExcept> restricts the node to (or away from) its methods.
void apply_limit(const CmdParms& cmd, AuthzNode& node) {
  for (auto it = cmd.parents.rbegin(); it != cmd.parents.rend(); ++it) {
    const parser::Node& p = **it;
    const bool limit = ci_equal(p.name, "<Limit");
    const bool except = ci_equal(p.name, "<LimitExcept");
    if (!limit && !except) continue;
    std::string_view args = p.args;
    if (auto gt = args.rfind('>'); gt != std::string_view::npos) args = args.substr(0, gt);
    node.limit_methods = words_of(args);
    node.limit_except = except;
    return;
  }
}

Result require_handler(CmdParms& cmd, std::span<const std::string> args) {
  AuthzNode node;
  if (auto err = parse_require_line(cmd, args.empty() ? std::string_view() : std::string_view(args[0]),
                                    node.require))
    return err;
  AuthzNode& parent = current_parent(cmd);
  if (node.require.negated && parent.logic != AuthzLogic::All)
    return "negative Require directive has no effect in " + std::string(section_name(parent.logic)) +
           " directive";
  node.file = file_of(cmd);
  node.line = cmd.node.line;
  apply_limit(cmd, node);
  parent.children.push_back(std::move(node));
  return std::nullopt;
}

Result require_section(CmdParms& cmd, std::span<const std::string> args, AuthzLogic logic) {
  std::string_view rest = args.empty() ? std::string_view() : std::string_view(args[0]);
  if (auto gt = rest.rfind('>'); gt != std::string_view::npos) rest = rest.substr(0, gt);
  if (rest.find_first_not_of(" \t") != std::string_view::npos)
    return std::string(section_name(logic)) + " directive doesn't take additional arguments";

  if (logic == AuthzLogic::All) cmd.dispatcher.count_require_all();
  AuthzNode node;
  node.is_section = true;
  node.logic = logic;
  node.file = file_of(cmd);
  node.line = cmd.node.line;
  apply_limit(cmd, node);

  Result err;
  {
    open_sections.push_back({&node});
    struct Pop {
      ~Pop() { open_sections.pop_back(); }
    } pop;
    err = cmd.dispatcher.walk_children(cmd, cmd.server, cmd.section, OR_AUTHCFG);
  }
  if (err) return err;

  if (node.children.empty())
    return std::string(section_name(logic)) + " directive contains no authorization directives";
  // Looked up only now: walking the children may have added sections and moved per-dir configs.
  AuthzNode& parent = current_parent(cmd);
  if (logic == AuthzLogic::None && parent.logic != AuthzLogic::All)
    return "<RequireNone> directive has no effect in " + std::string(section_name(parent.logic)) +
           " directive";
  parent.children.push_back(std::move(node));
  return std::nullopt;
}

Result require_all(CmdParms& cmd, std::span<const std::string> args) {
  return require_section(cmd, args, AuthzLogic::All);
}
Result require_any(CmdParms& cmd, std::span<const std::string> args) {
  return require_section(cmd, args, AuthzLogic::Any);
}
Result require_none(CmdParms& cmd, std::span<const std::string> args) {
  return require_section(cmd, args, AuthzLogic::None);
}

Result auth_merging(CmdParms& cmd, std::span<const std::string> args) {
  const std::string& v = args.empty() ? std::string() : args[0];
  AuthMerging m;
  if (ci_equal(v, "off"))
    m = AuthMerging::Off;
  else if (ci_equal(v, "and"))
    m = AuthMerging::And;
  else if (ci_equal(v, "or"))
    m = AuthMerging::Or;
  else
    return "AuthMerging must be one of: Off | And | Or";
  cmd.dir().authz->merging = m;
  return std::nullopt;
}

Result send_forbidden(CmdParms& cmd, std::span<const std::string> args) {
  cmd.dir().authz->send_forbidden_on_failure = !args.empty() && ci_equal(args[0], "on");
  return std::nullopt;
}

// ---- mod_access_compat ----

Result order_handler(CmdParms& cmd, std::span<const std::string> args) {
  const std::string& v = args.empty() ? std::string() : args[0];
  AccessOrder o;
  if (ci_equal(v, "allow,deny"))
    o = AccessOrder::AllowDeny;
  else if (ci_equal(v, "deny,allow"))
    o = AccessOrder::DenyAllow;
  else if (ci_equal(v, "mutual-failure"))
    o = AccessOrder::MutualFailure;
  else
    return "unknown order";
  cmd.dir().authz->order = o;
  return std::nullopt;
}

Result allow_deny(CmdParms& cmd, std::span<const std::string> args, bool allow) {
  if (args.size() < 2) return std::nullopt;
  AccessRule rule;
  if (auto err = parse_access_rule(args[0], args[1], rule)) return err;
  AuthzNode limits;
  apply_limit(cmd, limits);
  rule.limit_methods = std::move(limits.limit_methods);
  (allow ? cmd.dir().authz->allow : cmd.dir().authz->deny).push_back(std::move(rule));
  return std::nullopt;
}

Result allow_handler(CmdParms& cmd, std::span<const std::string> args) {
  return allow_deny(cmd, args, true);
}
Result deny_handler(CmdParms& cmd, std::span<const std::string> args) {
  return allow_deny(cmd, args, false);
}

Result satisfy_handler(CmdParms& cmd, std::span<const std::string> args) {
  const std::string& v = args.empty() ? std::string() : args[0];
  if (ci_equal(v, "any"))
    cmd.dir().authz->satisfy_any = true;
  else if (ci_equal(v, "all"))
    cmd.dir().authz->satisfy_any = false;
  else
    return "Satisfy either 'any' or 'all'.";
  return std::nullopt;
}

constexpr HandlerBinding kAuthzCore[] = {
    {"Require", Support::Implemented, require_handler},
    {"<RequireAll", Support::Implemented, require_all},
    {"<RequireAny", Support::Implemented, require_any},
    {"<RequireNone", Support::Implemented, require_none},
    {"AuthMerging", Support::Implemented, auth_merging},
    {"AuthzSendForbiddenOnFailure", Support::NoEffect, send_forbidden},
    {"<AuthzProviderAlias", Support::Unsupported, nullptr},
};

constexpr HandlerBinding kAccessCompat[] = {
    {"order", Support::Implemented, order_handler},
    {"allow", Support::Implemented, allow_handler},
    {"deny", Support::Implemented, deny_handler},
    {"Satisfy", Support::Implemented, satisfy_handler},
};

// Providers of the authn/authz modules balancerd does not implement, and the module of each.
struct ForeignProvider {
  std::string_view name;
  std::string_view source;
};
constexpr ForeignProvider kForeignProviders[] = {
    {"user", "mod_authz_user.c"},          {"valid-user", "mod_authz_user.c"},
    {"group", "mod_authz_groupfile.c"},    {"file-owner", "mod_authz_owner.c"},
    {"file-group", "mod_authz_owner.c"},   {"dbm-group", "mod_authz_dbm.c"},
    {"dbm-file-group", "mod_authz_dbm.c"}, {"dbd-group", "mod_authz_dbd.c"},
    {"dbd-login", "mod_authz_dbd.c"},      {"dbd-logout", "mod_authz_dbd.c"},
    {"ldap-user", "mod_authnz_ldap.c"},    {"ldap-group", "mod_authnz_ldap.c"},
    {"ldap-dn", "mod_authnz_ldap.c"},      {"ldap-attribute", "mod_authnz_ldap.c"},
    {"ldap-filter", "mod_authnz_ldap.c"},  {"ldap-search", "mod_authnz_ldap.c"},
};

} // namespace

Result parse_require_line(const CmdParms& cmd, std::string_view raw, AuthzRequire& out) {
  // One pass over the loaded modules (every Require line asks; a large config has thousands).
  static_assert(std::size(kForeignProviders) <= 32);
  std::uint32_t loaded = 0;
  bool authz_host = false;
  for (const LoadedModule& m : cmd.config.modules) {
    const std::string_view source = m.source;
    if (!source.starts_with("mod_auth")) continue;
    if (source == "mod_authz_host.c") authz_host = true;
    for (std::size_t i = 0; i < std::size(kForeignProviders); ++i)
      if (kForeignProviders[i].source == source) loaded |= std::uint32_t{1} << i;
  }
  std::vector<std::string> foreign;
  for (std::size_t i = 0; i < std::size(kForeignProviders); ++i)
    if (loaded & (std::uint32_t{1} << i)) foreign.emplace_back(kForeignProviders[i].name);
  return parse_require_line(raw, authz_host, out, foreign);
}

Result parse_require_line(std::string_view raw, bool authz_host_loaded, AuthzRequire& out,
                          const std::vector<std::string>& other_providers) {
  std::string_view rest = raw;
  std::string provider = parser::next_word(rest);
  if (ci_equal(provider, "not")) {
    out.negated = true;
    provider = parser::next_word(rest);
  }
  out.name = provider;
  out.args = std::string(rest);
  const bool host_provider =
      provider == "ip" || provider == "host" || provider == "forward-dns" || provider == "local";
  if (host_provider && !authz_host_loaded) return "Unknown Authz provider: " + provider;

  if (provider == "all") {
    out.provider = AuthzProvider::All;
    if (ci_equal(rest, "granted"))
      out.granted = true;
    else if (ci_equal(rest, "denied"))
      out.granted = false;
    else
      return "Argument for 'Require all' must be 'granted' or 'denied'";
  } else if (provider == "ip") {
    out.provider = AuthzProvider::Ip;
    auto words = words_of(rest);
    if (words.empty()) return "'require ip' requires an argument";
    for (const std::string& w : words) {
      auto r = parse_ip_subnet(w);
      if (!r.subnet) {
        std::string msg = "ip address '" + w + "' appears to be invalid";
        if (r.error != IpSubnetError::NotAnAddress) msg += ": " + std::string(ip_subnet_error_text(r.error));
        return msg;
      }
      out.subnets.push_back(*r.subnet);
    }
  } else if (provider == "host" || provider == "forward-dns" || provider == "env") {
    out.provider = provider == "host"  ? AuthzProvider::Host
                   : provider == "env" ? AuthzProvider::Env
                                       : AuthzProvider::ForwardDns;
    out.words = words_of(rest);
  } else if (provider == "local") {
    out.provider = AuthzProvider::Local;
  } else if (provider == "method") {
    out.provider = AuthzProvider::Method;
    for (std::string& w : words_of(rest)) {
      if (std::find(kRegisteredMethods.begin(), kRegisteredMethods.end(), w) == kRegisteredMethods.end())
        return "Invalid Method '" + w + "'";
      out.words.push_back(std::move(w));
    }
  } else if (provider == "expr") {
    out.provider = AuthzProvider::Expr;
    std::string_view text = rest;
    // A quoted expression loses its surrounding double quotes (Apache does this for Require expr).
    if (!text.empty() && text.front() == '"' && text.back() == '"')
      text = text.size() >= 2 ? text.substr(1, text.size() - 2) : std::string_view();
    auto r = expr::parse(text);
    if (!r.ok()) return "Cannot parse expression in require line: " + r.error;
    out.expr = r.expr;
  } else if (std::find(other_providers.begin(), other_providers.end(), provider) != other_providers.end()) {
    out.provider = AuthzProvider::Other;
  } else {
    return "Unknown Authz provider: " + provider;
  }
  return std::nullopt;
}

Result parse_access_rule(std::string_view from, std::string_view where, AccessRule& out) {
  if (!ci_equal(from, "from")) return "allow and deny must be followed by 'from'";
  if (ci_starts_with(where, "env=")) {
    std::string_view name = where.substr(4);
    const bool neg = !name.empty() && name.front() == '!';
    out.kind = neg ? AccessRule::Kind::EnvNot : AccessRule::Kind::Env;
    out.text = std::string(neg ? name.substr(1) : name);
    return std::nullopt;
  }
  if (ci_equal(where, "all")) {
    out.kind = AccessRule::Kind::All;
    return std::nullopt;
  }
  auto r = parse_ip_subnet(where);
  if (r.subnet) {
    out.kind = AccessRule::Kind::Ip;
    out.subnet = *r.subnet;
    return std::nullopt;
  }
  if (r.error != IpSubnetError::NotAnAddress) return std::string(ip_subnet_error_text(r.error));
  out.kind = AccessRule::Kind::Host;
  out.text = std::string(where);
  return std::nullopt;
}

namespace {

bool is_negative(const AuthzNode& n) {
  return n.is_section ? n.logic == AuthzLogic::None : n.require.negated;
}

std::optional<std::string> check_tree(const AuthzNode& n) {
  if (!n.is_section) return std::nullopt;
  for (const AuthzNode& c : n.children)
    if (auto err = check_tree(c)) return err;
  if (n.logic == AuthzLogic::All && !n.children.empty() &&
      std::all_of(n.children.begin(), n.children.end(), is_negative))
    return "AH01624: <RequireAll> directive contains only negative authorization directives";
  return std::nullopt;
}

std::optional<std::string> check_dir(const DirConf& d) {
  return d.authz->root ? check_tree(*d.authz->root) : std::nullopt;
}

std::optional<std::string> check_sections(const std::vector<Section>& sections) {
  for (const Section& s : sections) {
    if (auto err = check_dir(s.conf)) return err;
    if (auto err = check_sections(s.nested)) return err;
  }
  return std::nullopt;
}

std::optional<std::string> check_server(const ServerConf& s) {
  if (auto err = check_dir(s.dir)) return err;
  return check_sections(s.sections);
}

} // namespace

} // namespace balancerd::directives::http

namespace balancerd::directives {

std::optional<std::string> check_authz_config(const Config& config) {
  if (auto err = http::check_server(config.main)) return err;
  for (const ServerConf& v : config.vhosts)
    if (auto err = http::check_server(v)) return err;
  return std::nullopt;
}

} // namespace balancerd::directives

namespace balancerd::directives::http {

std::span<const HandlerBinding> authz_core_bindings() {
  return kAuthzCore;
}
std::span<const HandlerBinding> access_compat_bindings() {
  return kAccessCompat;
}

} // namespace balancerd::directives::http
