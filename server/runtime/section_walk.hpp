#pragma once
// The per-request section walk (spec §6.3), on tables built once from the config: which sections
// apply to a request, in the order Apache merges them.
//  - proxied request (a backend URL is given): <Proxy>/<ProxyMatch> matched against the URL —
//    prefix, '*' wildcards (whole URL) or regex — instead of the filesystem walk, as mod_proxy's
//    map_to_storage replaces core's;
//  - otherwise, with a file path: <Directory> (non-regex) by number of path components, shortest
//    first (config order, main server before vhost, among equals); then <DirectoryMatch>/<Directory ~>
//    tested against the whole file path, ordered the same way by the number of '/' in the pattern
//    text (as Apache's sort of the directory sections does); then <Files>/<FilesMatch> against the file
//    name: server-level ones first, then those nested in the matched <Directory>s in merge order;
//  - then <Location>/<LocationMatch> together in config order against the URL path (slashes merged
//    unless MergeSlashes Off): prefix ending at a segment boundary, or a whole-path wildcard match,
//    or a regex;
//  - then <If>/<ElseIf>/<Else>: server-level ones, then those nested in each applied section, in that
//    order; each chain applies its first true branch; an applied <If> then walks its own nested ones.
// Within each group the main server's sections come before the vhost's. Regex sections export
// named groups as MATCH_<NAME> variables.
#include "directives/expr/expr.hpp"
#include "directives/model/config.hpp"
#include "directives/model/regex.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace balancerd::runtime {

// Evaluates an <If>/<ElseIf> condition for the current request (the ap_expr evaluator, written
// elsewhere). An empty hook makes every condition false (only <Else> branches apply).
using ExprHook = std::function<bool(const directives::expr::Expr& condition)>;

// MATCH_* variables from named groups of the regex sections that applied, in order set.
using MatchEnv = std::vector<std::pair<std::string, std::string>>;

using SectionId = std::uint32_t;

struct CompiledSection {
  const directives::Section* source = nullptr;
  directives::SectionKind kind = directives::SectionKind::Location;
  std::string path;                                        // Directory: canonical, ending in '/'
  std::optional<directives::Regex> regex;                  // regex forms
  bool fnmatch = false;                                    // wildcard path
  int components = 0;                                      // Directory(Match): number of '/'
  std::vector<std::pair<std::string, int>> match_vars;     // {"MATCH_NAME", group number}
  std::shared_ptr<const directives::expr::Expr> condition; // If/ElseIf
  directives::DirConf conf;                                // own settings, nested <Limit>s folded in
  std::vector<SectionId> files;                            // nested <Files>/<FilesMatch>
  std::vector<SectionId> ifs;                              // nested <If>/<ElseIf>/<Else>
};

// One server's view of the sections (main server's first within each group).
struct ServerSections {
  std::vector<SectionId> directories; // non-regex, in walk order
  std::vector<SectionId> directory_regexes;
  std::vector<SectionId> files;
  std::vector<SectionId> locations;
  std::vector<SectionId> proxies;
  std::vector<SectionId> ifs;
  bool merge_slashes = true;
};

struct WalkRequest {
  std::string_view uri_path;  // decoded URL path
  std::string_view file_path; // mapped file ("" if none); a directory ends with '/'
  std::string_view proxy_url; // backend URL for a proxied request ("" if not proxied)
};

struct WalkResult {
  std::vector<SectionId> applied; // in merge order
  MatchEnv env;
  void clear() {
    applied.clear();
    env.clear();
  }
};

class SectionTable {
public:
  explicit SectionTable(const directives::Config& config);

  const CompiledSection& at(SectionId id) const { return sections_[id]; }
  std::size_t size() const { return sections_.size(); }
  // kMainServer (-1) or a vhost index.
  const ServerSections& server(int index) const { return views_[static_cast<std::size_t>(index + 1)]; }
  // The server level's own per-dir settings (main server's, or the vhost's over them).
  const directives::DirConf& server_dir(int index) const {
    return bases_[static_cast<std::size_t>(index + 1)];
  }

  // Appends to `out` (cleared first) the sections that apply.
  void walk(const ServerSections& server, const WalkRequest& request, const ExprHook& hook,
            WalkResult& out) const;

private:
  SectionId compile(const directives::Section& s);
  void collect(const std::vector<directives::Section>& sections, ServerSections& view,
               std::vector<SectionId>& directories, directives::DirConf& level);
  bool match_regex(const CompiledSection& s, std::string_view subject, MatchEnv& env) const;
  void walk_ifs(const std::vector<SectionId>& list, const ExprHook& hook, WalkResult& out, int depth) const;

  std::vector<CompiledSection> sections_;
  std::vector<ServerSections> views_;
  std::vector<directives::DirConf> bases_;
};

// While walk() evaluates <If>/<ElseIf> conditions on this thread: the sections merged before the
// <If>s (Directory, Files, Location or Proxy, in merge order). apache2
// evaluates the conditions on r->per_dir_config as those walks left it, so a per-directory setting
// the condition depends on (HostnameLookups for %{REMOTE_HOST}) comes from the latest of them that
// sets it, even one merged after the section holding the <If>; an <If>'s own settings never reach
// another <If> of the same walk.
struct IfWalkScope {
  const SectionTable* table = nullptr;
  std::span<const SectionId> merged; // in merge order

  // The latest merged section's settings for which `has(conf)` holds; nullptr when none (then the
  // server level's apply).
  template <typename Has> const directives::DirConf* latest(Has has) const {
    for (std::size_t i = merged.size(); i-- > 0;)
      if (const directives::DirConf& c = table->at(merged[i]).conf; has(c)) return &c;
    return nullptr;
  }
};

// The scope of the <If> walk running on this thread, or nullptr outside one.
const IfWalkScope* current_if_walk() noexcept;

// Apache's canonical <Directory> path: "." and ".." segments resolved, repeated slashes merged,
// a trailing '/' added ("/" stays "/").
std::string canonical_directory(std::string_view path);

// <Location> prefix test: `prefix` matches `uri` when equal, or when `uri` continues at a segment
// boundary ('/' follows, or `prefix` itself ends in '/').
bool location_prefix_match(std::string_view prefix, std::string_view uri);

} // namespace balancerd::runtime
