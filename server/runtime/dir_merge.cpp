#include "server/runtime/dir_merge.hpp"

#include "server/runtime/merge_rules.hpp"

#include <sstream>

namespace balancerd::runtime {

namespace d = directives;
using merge::append;
using merge::override_if_set;
using merge::override_unless;
using merge::prepend;
using merge::replace_if_nonempty;

namespace {

bool is_relative_word(const std::string& w) {
  return !w.empty() && (w.front() == '+' || w.front() == '-');
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

} // namespace

std::vector<std::string> merge_option_words(const std::vector<std::string>& parent,
                                            const std::vector<std::string>& child) {
  if (child.empty()) return parent;
  for (const auto& w : child)
    if (!is_relative_word(w)) return child;
  std::vector<std::string> out = parent;
  append(out, child);
  return out;
}

void merge_core(d::CoreDirConf& out, const d::CoreDirConf& child) {
  // LogLevel: a bare level in the section replaces the inherited levels, module levels included
  // (LogLevel info drops an inherited proxy:debug); module levels alone overlay them.
  if (child.log_level.level)
    out.log_level = child.log_level;
  else
    for (const auto& [module, level] : child.log_level.modules) out.log_level.modules[module] = level;
  override_if_set(out.server_signature, child.server_signature);
  if (child.options) {
    const auto words = merge_option_words(out.options ? split(*out.options) : std::vector<std::string>{},
                                          split(*child.options));
    out.options = join(words);
  }
  replace_if_nonempty(out.allow_override, child.allow_override);
  for (const auto& [status, doc] : child.error_documents) out.error_documents[status] = doc;
  override_if_set(out.set_handler, child.set_handler);
  override_if_set(out.add_default_charset, child.add_default_charset);
  override_if_set(out.use_canonical_name, child.use_canonical_name);
  override_if_set(out.hostname_lookups, child.hostname_lookups);
  override_if_set(out.limit_request_body, child.limit_request_body);
  override_if_set(out.etag_none, child.etag_none);
  override_if_set(out.default_type, child.default_type);
  override_if_set(out.force_type, child.force_type);
  override_if_set(out.accept_path_info, child.accept_path_info);
}

void merge_proxy(d::ProxyDirConf& out, const d::ProxyDirConf& child) {
  override_if_set(out.pass, child.pass);
  append(out.reverse, child.reverse);
  append(out.cookie_paths, child.cookie_paths);
  append(out.cookie_domains, child.cookie_domains);
  override_if_set(out.preserve_host, child.preserve_host);
  if (child.error_override) {
    out.error_override = child.error_override;
    out.error_override_codes = child.error_override_codes;
  }
  override_if_set(out.add_headers, child.add_headers);
  override_if_set(out.continue_100, child.continue_100);
  override_if_set(out.interpolate_env, child.interpolate_env);
  override_if_set(out.ws_fallback_to_http, child.ws_fallback_to_http);
  override_if_set(out.ftp_list_on_wildcard, child.ftp_list_on_wildcard);
  override_if_set(out.ftp_escape_wildcards, child.ftp_escape_wildcards);
  override_if_set(out.ftp_dir_charset, child.ftp_dir_charset);
  // Markers of the section itself: the merged result says whether a <Proxy> section applied.
  out.is_proxy_section = out.is_proxy_section || child.is_proxy_section;
  out.path_is_fnmatch = child.is_proxy_section ? child.path_is_fnmatch : out.path_is_fnmatch;
}

void merge_headers(d::HeadersDirConf& out, const d::HeadersDirConf& child) {
  append(out.rules, child.rules);
}

void merge_authz(d::AuthzDirConf& out, const d::AuthzDirConf& child) {
  if (child.root) {
    const bool combine =
        (child.merging == d::AuthMerging::And || child.merging == d::AuthMerging::Or) && out.root;
    if (combine) {
      // As if both sections' logic stood in one <RequireAll> (And) or <RequireAny> (Or).
      d::AuthzNode joined;
      joined.is_section = true;
      joined.logic = child.merging == d::AuthMerging::And ? d::AuthzLogic::All : d::AuthzLogic::Any;
      joined.children.push_back(std::move(*out.root));
      joined.children.push_back(*child.root);
      out.root = std::move(joined);
    } else {
      out.root = child.root;
    }
  }
  // AuthMerging itself is not inherited outside the section that sets it.
  out.merging = child.merging;
  override_if_set(out.send_forbidden_on_failure, child.send_forbidden_on_failure);
  // mod_access_compat has no merge function: a section using any of its directives replaces them all.
  const bool access_set = child.order != d::AccessOrder::Unset || !child.allow.empty() ||
                          !child.deny.empty() || child.satisfy_any.has_value();
  if (access_set) {
    out.order = child.order;
    out.allow = child.allow;
    out.deny = child.deny;
    out.satisfy_any = child.satisfy_any;
  }
}

namespace {
void merge_ssl_context(d::SslContextConf& out, const d::SslContextConf& child) {
  override_if_set(out.protocols, child.protocols);
  override_if_set(out.cipher_suite, child.cipher_suite);
  override_if_set(out.cipher_suite_tls13, child.cipher_suite_tls13);
  replace_if_nonempty(out.certificate_files, child.certificate_files);
  replace_if_nonempty(out.certificate_key_files, child.certificate_key_files);
  override_if_set(out.certificate_chain_file, child.certificate_chain_file);
  override_if_set(out.ca_certificate_file, child.ca_certificate_file);
  override_if_set(out.ca_certificate_path, child.ca_certificate_path);
  override_if_set(out.ca_revocation_file, child.ca_revocation_file);
  override_if_set(out.ca_revocation_path, child.ca_revocation_path);
  override_if_set(out.ca_revocation_check, child.ca_revocation_check);
  override_if_set(out.machine_certificate_file, child.machine_certificate_file);
  override_if_set(out.machine_certificate_path, child.machine_certificate_path);
  override_if_set(out.machine_certificate_chain_file, child.machine_certificate_chain_file);
  override_unless(out.verify, child.verify, d::SslVerify::Unset);
  override_if_set(out.verify_depth, child.verify_depth);
  append(out.openssl_conf_cmds, child.openssl_conf_cmds);
}
} // namespace

void merge_ssl_proxy_side(d::SslProxySide& out, const d::SslProxySide& child) {
  override_if_set(out.engine, child.engine);
  merge_ssl_context(out.ctx, child.ctx);
  override_if_set(out.check_peer_name, child.check_peer_name);
  override_if_set(out.check_peer_cn, child.check_peer_cn);
  override_if_set(out.check_peer_expire, child.check_peer_expire);
}

void merge_ssl(d::SslDirConf& out, const d::SslDirConf& child) {
  merge_ssl_proxy_side(out.proxy, child.proxy);
  override_if_set(out.cipher_suite, child.cipher_suite);
  override_unless(out.verify_client, child.verify_client, d::SslVerify::Unset);
  override_if_set(out.verify_depth, child.verify_depth);
  out.options = merge_option_words(out.options, child.options);
  // SSLRequireSSL cannot be switched off by a later section.
  out.require_ssl = out.require_ssl || child.require_ssl;
  override_if_set(out.user_name, child.user_name);
}

void merge_log(d::LogDirConf& out, const d::LogDirConf& child) {
  override_if_set(out.track_ttfb, child.track_ttfb);
}

void merge_mapping(d::MappingDirConf& out, const d::MappingDirConf& child) {
  prepend(out.redirects, child.redirects);
  override_if_set(out.dir_alias, child.dir_alias);
  override_if_set(out.alias_preserve_path, child.alias_preserve_path);
  override_if_set(out.redirect_relative, child.redirect_relative);
  override_if_set(out.directory_index, child.directory_index);
  override_if_set(out.directory_slash, child.directory_slash);
  override_if_set(out.fallback_resource, child.fallback_resource);
  override_if_set(out.directory_check_handler, child.directory_check_handler);
  override_if_set(out.directory_index_redirect, child.directory_index_redirect);
  // Per-extension mappings: later entries win for an extension, Remove* drops inherited ones, so
  // the list in order is the merged table.
  append(out.mime, child.mime);
  override_if_set(out.default_language, child.default_language);
  replace_if_nonempty(out.multiviews_match, child.multiviews_match);
  override_if_set(out.use_path_info, child.use_path_info);
}

void merge_env(d::EnvDirConf& out, const d::EnvDirConf& child) {
  append(out.setenvif, child.setenvif);
  append(out.setenv, child.setenv);
  append(out.passenv, child.passenv);
}

void merge_misc(d::MiscDirConf& out, const d::MiscDirConf& child) {
  override_if_set(out.h2_upgrade, child.h2_upgrade);
  override_if_set(out.h2_push, child.h2_push);
  append(out.h2_push_resources, child.h2_push_resources);
}

void merge_autoindex(d::AutoindexDirConf& out, const d::AutoindexDirConf& child) {
  // IndexOptions: unprefixed keywords replace what is inherited; +/- adjust it.
  if (child.opts) {
    out.opts = child.opts;
    out.incr_on = child.incr_on;
    out.incr_off = child.incr_off;
  } else {
    out.incr_on = (out.incr_on & ~child.incr_off) | child.incr_on;
    out.incr_off = (out.incr_off & ~child.incr_on) | child.incr_off;
  }
  override_if_set(out.name_width, child.name_width);
  override_if_set(out.desc_width, child.desc_width);
  override_if_set(out.icon_width, child.icon_width);
  override_if_set(out.icon_height, child.icon_height);
  override_if_set(out.charset, child.charset);
  override_if_set(out.content_type, child.content_type);
  // The deeper level's entries are searched first.
  prepend(out.icons, child.icons);
  prepend(out.alts, child.alts);
  prepend(out.descriptions, child.descriptions);
  if (child.ignore_reset) out.ignore.clear();
  append(out.ignore, child.ignore);
  override_if_set(out.header_name, child.header_name);
  override_if_set(out.readme_name, child.readme_name);
  override_if_set(out.default_icon, child.default_icon);
  override_if_set(out.style_sheet, child.style_sheet);
  override_if_set(out.head_insert, child.head_insert);
  override_if_set(out.order_key, child.order_key);
  override_if_set(out.order_desc, child.order_desc);
}

d::DirConf merge_dir(const d::DirConf& parent, const d::DirConf& child) {
  d::DirConf out = parent;
  merge_core(*out.core, *child.core);
  merge_proxy(*out.proxy, *child.proxy);
  merge_headers(out.headers, child.headers);
  merge_authz(*out.authz, *child.authz);
  merge_ssl(*out.ssl, *child.ssl);
  merge_log(out.log, child.log);
  merge_mapping(*out.mapping, *child.mapping);
  merge_env(out.env, child.env);
  merge_misc(out.misc, child.misc);
  merge_autoindex(*out.autoindex, *child.autoindex);
  return out;
}

void fold_limit(d::DirConf& enclosing, const d::DirConf& limit) {
  // Require lines inside <Limit> are members of the enclosing section's own implicit <RequireAny>.
  d::AuthzDirConf authz = *enclosing.authz;
  if (limit.authz->root) {
    if (!authz.root) {
      authz.root = d::AuthzNode{};
      authz.root->is_section = true;
      authz.root->logic = d::AuthzLogic::Any;
    }
    append(authz.root->children, limit.authz->root->children);
  }
  d::DirConf rest = limit;
  rest.authz->root.reset();
  rest.authz->merging = enclosing.authz->merging;
  enclosing = merge_dir(enclosing, rest);
  enclosing.authz->root = std::move(authz.root);
}

} // namespace balancerd::runtime
