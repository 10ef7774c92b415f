#pragma once
// Apache's per-directory merge, one rule per field of every DirConf slot: what a later section
// (`child`) does to what applied before it (`parent`). Three kinds of rule, as the modules' merge
// functions have them:
//  - override when set: optional fields, enums with an Unset value (most settings);
//  - append in order, parent's first: Header/RequestHeader rules, SetEnvIf, SetEnv/UnsetEnv, mime
//    mappings, ProxyPassReverse*, H2PushResource; redirects inside sections go child first (mod_alias
//    puts the more specific section's rules before the inherited ones);
//  - keyed overlay: ErrorDocument by status, per-module LogLevel;
//  - special: the Require tree (replaced by a section that has one, combined under AuthMerging
//    And/Or), Order/Allow/Deny/Satisfy (mod_access_compat has no merge function: a section using
//    any of them replaces all four), Options and SSLOptions (+/- words apply to the inherited set).
#include "directives/model/config.hpp"

namespace balancerd::runtime {

directives::DirConf merge_dir(const directives::DirConf& parent, const directives::DirConf& child);

// Directives written inside <Limit>/<LimitExcept> belong to the enclosing section (the Limit only
// narrows the methods of access control, already recorded on the Require nodes): folds them in.
void fold_limit(directives::DirConf& enclosing, const directives::DirConf& limit);

// Per-slot rules, exposed for tests and for the server merge.
void merge_core(directives::CoreDirConf& out, const directives::CoreDirConf& child);
void merge_proxy(directives::ProxyDirConf& out, const directives::ProxyDirConf& child);
void merge_headers(directives::HeadersDirConf& out, const directives::HeadersDirConf& child);
void merge_authz(directives::AuthzDirConf& out, const directives::AuthzDirConf& child);
void merge_ssl(directives::SslDirConf& out, const directives::SslDirConf& child);
void merge_log(directives::LogDirConf& out, const directives::LogDirConf& child);
void merge_mapping(directives::MappingDirConf& out, const directives::MappingDirConf& child);
void merge_env(directives::EnvDirConf& out, const directives::EnvDirConf& child);
void merge_misc(directives::MiscDirConf& out, const directives::MiscDirConf& child);

// SSLProxy* settings (per-dir inside <Proxy>, and server level): override when set.
void merge_ssl_proxy_side(directives::SslProxySide& out, const directives::SslProxySide& child);

// "Options"/"SSLOptions" words: a list of only +X/-X words modifies the inherited list, anything
// else replaces it. Returns the words that, read left to right, give the effective set.
std::vector<std::string> merge_option_words(const std::vector<std::string>& parent,
                                            const std::vector<std::string>& child);

} // namespace balancerd::runtime
