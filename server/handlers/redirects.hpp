#pragma once
// mod_alias at translate time: Redirect/RedirectMatch rules, then Alias/AliasMatch, first match in
// config order. Matching is on the decoded, normalised URL path; Redirect keeps the rest of the path
// and the query string as Apache does.
#include <string>
#include <string_view>
#include <vector>

#include "directives/model/mapping_conf.hpp"

namespace balancerd::handlers {

struct AliasResult {
  enum class Kind { None, Redirect, Gone, File };
  Kind kind = Kind::None;
  int status = 0;
  std::string target; // redirect URL or file path
};

// Redirect rules (server level or per-dir) for `path`; `query` is appended to a redirect target.
AliasResult match_redirects(const std::vector<directives::AliasRule>& rules, std::string_view path,
                            std::string_view query);
// Alias/AliasMatch (ScriptAlias maps the same way; CGI is not run).
AliasResult match_aliases(const std::vector<directives::AliasRule>& rules, std::string_view path);

// Apache's alias prefix test: `fake` matches `path` segment-wise, with runs of '/' in either
// equivalent; returns the length of `path` consumed, or npos.
std::size_t alias_prefix(std::string_view fake, std::string_view path);

} // namespace balancerd::handlers
