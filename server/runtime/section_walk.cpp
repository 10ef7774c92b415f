#include "server/runtime/section_walk.hpp"

#include "directives/ci_string.hpp"
#include "server/runtime/dir_merge.hpp"
#include "server/runtime/vhost_selector.hpp"

#include <fnmatch.h>

#include <algorithm>

namespace balancerd::runtime {

namespace d = directives;
using d::SectionKind;

namespace {

bool is_fnmatch_pattern(std::string_view s) {
  return s.find_first_of("*?[") != std::string_view::npos;
}

bool is_condition(SectionKind k) {
  return k == SectionKind::If || k == SectionKind::ElseIf || k == SectionKind::Else;
}
bool is_limit(SectionKind k) {
  return k == SectionKind::Limit || k == SectionKind::LimitExcept;
}
bool is_files(SectionKind k) {
  return k == SectionKind::Files || k == SectionKind::FilesMatch;
}

bool fnmatch_ok(const std::string& pattern, std::string_view subject, int flags) {
  thread_local std::string terminated; // fnmatch needs a terminated string; reused, no allocation
  terminated.assign(subject);
  return ::fnmatch(pattern.c_str(), terminated.c_str(), flags) == 0;
}

// URL path with runs of '/' merged (Apache's ap_no2slash), only copied when needed.
std::string_view merged_slashes(std::string_view uri, std::string& buffer) {
  if (uri.find("//") == std::string_view::npos) return uri;
  buffer.clear();
  for (char c : uri)
    if (c != '/' || buffer.empty() || buffer.back() != '/') buffer += c;
  return buffer;
}

constexpr int kMaxIfDepth = 16;

} // namespace

std::string canonical_directory(std::string_view path) {
  if (path == "/") return "/";
  const bool absolute = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    const std::string_view seg = path.substr(i, j - i);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    i = j + 1;
  }
  std::string out = absolute ? "/" : "";
  for (auto seg : parts) {
    out += seg;
    out += '/';
  }
  if (out.empty()) out = "/";
  return out;
}

bool location_prefix_match(std::string_view prefix, std::string_view uri) {
  if (uri.substr(0, prefix.size()) != prefix) return false;
  if (prefix.empty() || prefix.back() == '/' || uri.size() == prefix.size()) return true;
  return uri[prefix.size()] == '/';
}

SectionId SectionTable::compile(const d::Section& s) {
  CompiledSection c;
  c.source = &s;
  c.kind = s.kind;
  c.conf = s.conf;
  switch (s.kind) {
  case SectionKind::Directory:
    c.path = canonical_directory(s.pattern);
    c.components = static_cast<int>(std::count(c.path.begin(), c.path.end(), '/'));
    c.fnmatch = is_fnmatch_pattern(c.path);
    break;
  case SectionKind::If:
  case SectionKind::ElseIf: {
    c.path = s.pattern;
    auto parsed = d::expr::parse(s.pattern);
    c.condition = parsed.expr; // the reader already rejected conditions that do not parse
    break;
  }
  case SectionKind::DirectoryMatch:
    // Apache sorts regex directories too, by the number of '/' in the pattern text.
    c.path = s.pattern;
    c.components = static_cast<int>(std::count(c.path.begin(), c.path.end(), '/'));
    break;
  default:
    c.path = s.pattern;
    c.fnmatch = !s.regex && is_fnmatch_pattern(s.pattern);
    break;
  }
  if (s.regex) {
    c.regex = d::Regex::compile(s.pattern);
    if (c.regex)
      for (const auto& [name, number] : c.regex->named_groups())
        c.match_vars.emplace_back("MATCH_" + d::ascii_upper(name), number);
  }
  // Nested sections: <Limit> folds into this one; <Files> and <If> are walked later.
  std::vector<SectionId> files, ifs;
  for (const d::Section& n : s.nested) {
    if (is_limit(n.kind)) {
      d::DirConf limit = n.conf;
      for (const d::Section& inner : n.nested)
        if (is_limit(inner.kind)) fold_limit(limit, inner.conf);
      fold_limit(c.conf, limit);
    } else if (is_files(n.kind)) {
      files.push_back(compile(n));
    } else if (is_condition(n.kind)) {
      ifs.push_back(compile(n));
    }
  }
  c.files = std::move(files);
  c.ifs = std::move(ifs);
  sections_.push_back(std::move(c));
  return static_cast<SectionId>(sections_.size() - 1);
}

void SectionTable::collect(const std::vector<d::Section>& sections, ServerSections& view,
                           std::vector<SectionId>& directories, d::DirConf& level) {
  for (const d::Section& s : sections) {
    if (is_limit(s.kind)) {
      fold_limit(level, s.conf);
      continue;
    }
    const SectionId id = compile(s);
    switch (s.kind) {
    case SectionKind::Directory:
      directories.push_back(id);
      break;
    case SectionKind::DirectoryMatch:
      view.directory_regexes.push_back(id);
      break;
    case SectionKind::Files:
    case SectionKind::FilesMatch:
      view.files.push_back(id);
      break;
    case SectionKind::Location:
    case SectionKind::LocationMatch:
      view.locations.push_back(id);
      break;
    case SectionKind::Proxy:
    case SectionKind::ProxyMatch:
      view.proxies.push_back(id);
      break;
    default:
      view.ifs.push_back(id);
      break;
    }
  }
}

SectionTable::SectionTable(const d::Config& config) {
  ServerSections main_view;
  std::vector<SectionId> main_dirs;
  d::DirConf main_level = config.main.dir;
  main_view.merge_slashes = config.main.core.merge_slashes.value_or(true);
  collect(config.main.sections, main_view, main_dirs, main_level);

  auto finish = [this](ServerSections& view, std::vector<SectionId>& dirs) {
    // Shortest first; equal lengths keep their order (main server's first).
    const auto shorter = [this](SectionId a, SectionId b) {
      return sections_[a].components < sections_[b].components;
    };
    std::stable_sort(dirs.begin(), dirs.end(), shorter);
    view.directories = dirs;
    std::stable_sort(view.directory_regexes.begin(), view.directory_regexes.end(), shorter);
  };
  ServerSections main_copy = main_view;
  std::vector<SectionId> main_dirs_copy = main_dirs;
  finish(main_copy, main_dirs_copy);
  views_.push_back(std::move(main_copy));
  bases_.push_back(main_level);

  for (const d::ServerConf& vhost : config.vhosts) {
    ServerSections view = main_view; // main server's sections first in every group
    std::vector<SectionId> dirs = main_dirs;
    d::DirConf level = vhost.dir;
    ServerSections own;
    std::vector<SectionId> own_dirs;
    collect(vhost.sections, own, own_dirs, level);
    dirs.insert(dirs.end(), own_dirs.begin(), own_dirs.end());
    for (auto [into, from] : {std::pair{&view.directory_regexes, &own.directory_regexes},
                              {&view.files, &own.files},
                              {&view.locations, &own.locations},
                              {&view.proxies, &own.proxies},
                              {&view.ifs, &own.ifs}})
      into->insert(into->end(), from->begin(), from->end());
    view.merge_slashes = vhost.core.merge_slashes.value_or(main_view.merge_slashes);
    finish(view, dirs);
    views_.push_back(std::move(view));
    bases_.push_back(merge_dir(main_level, level));
  }
}

bool SectionTable::match_regex(const CompiledSection& s, std::string_view subject, MatchEnv& env) const {
  if (!s.regex) return false;
  if (s.match_vars.empty()) return s.regex->search(subject);
  std::vector<std::pair<std::size_t, std::size_t>> groups;
  if (!s.regex->search(subject, &groups)) return false;
  for (const auto& [name, number] : s.match_vars) {
    const auto n = static_cast<std::size_t>(number);
    if (n < groups.size() && groups[n].first != std::string_view::npos)
      env.emplace_back(name, std::string(subject.substr(groups[n].first, groups[n].second)));
  }
  return true;
}

void SectionTable::walk_ifs(const std::vector<SectionId>& list, const ExprHook& hook, WalkResult& out,
                            int depth) const {
  if (depth > kMaxIfDepth) return;
  bool chain_taken = false;
  for (SectionId id : list) {
    const CompiledSection& s = sections_[id];
    if (s.kind == SectionKind::If)
      chain_taken = false;
    else if (chain_taken)
      continue;
    const bool take = s.kind == SectionKind::Else || (hook && s.condition && hook(*s.condition));
    if (!take) continue;
    chain_taken = true;
    out.applied.push_back(id);
    if (!s.ifs.empty()) walk_ifs(s.ifs, hook, out, depth + 1);
  }
}

namespace {
thread_local const IfWalkScope* if_walk_scope = nullptr;
} // namespace

const IfWalkScope* current_if_walk() noexcept {
  return if_walk_scope;
}

void SectionTable::walk(const ServerSections& server, const WalkRequest& request, const ExprHook& hook,
                        WalkResult& out) const {
  out.clear();
  if (!request.proxy_url.empty()) {
    const std::string_view url = request.proxy_url;
    for (SectionId id : server.proxies) {
      const CompiledSection& s = sections_[id];
      const bool hit = s.regex || s.kind == SectionKind::ProxyMatch ? match_regex(s, url, out.env)
                       : s.fnmatch                                  ? fnmatch_ok(s.path, url, 0)
                                                                    : url.substr(0, s.path.size()) == s.path;
      if (hit) out.applied.push_back(id);
    }
  } else if (!request.file_path.empty()) {
    const std::string_view file = request.file_path;
    const std::size_t slash = file.rfind('/');
    const std::string_view dir =
        slash == std::string_view::npos ? std::string_view() : file.substr(0, slash + 1);
    const std::string_view name = slash == std::string_view::npos ? file : file.substr(slash + 1);
    for (SectionId id : server.directories) {
      const CompiledSection& s = sections_[id];
      bool hit;
      if (!s.fnmatch) {
        hit = dir.substr(0, s.path.size()) == s.path;
      } else {
        // The wildcard path is compared with the leading part of the directory that has as many
        // components.
        std::size_t pos = 0;
        int seen = 0;
        for (; pos < dir.size(); ++pos)
          if (dir[pos] == '/' && ++seen == s.components) break;
        hit = seen == s.components && fnmatch_ok(s.path, dir.substr(0, pos + 1), FNM_PATHNAME);
      }
      if (hit) out.applied.push_back(id);
    }
    for (SectionId id : server.directory_regexes)
      if (match_regex(sections_[id], file, out.env)) out.applied.push_back(id);
    // <Files>: server level, then those nested in the directories just applied.
    const std::size_t dir_count = out.applied.size();
    auto try_file = [&](SectionId id) {
      const CompiledSection& s = sections_[id];
      const bool hit = s.regex || s.kind == SectionKind::FilesMatch ? match_regex(s, name, out.env)
                                                                    : fnmatch_ok(s.path, name, FNM_PATHNAME);
      if (hit) out.applied.push_back(id);
    };
    for (SectionId id : server.files) try_file(id);
    for (std::size_t i = 0; i < dir_count; ++i)
      for (SectionId id : sections_[out.applied[i]].files) try_file(id);
  }

  thread_local std::string slash_buffer;
  const std::string_view uri =
      server.merge_slashes ? merged_slashes(request.uri_path, slash_buffer) : request.uri_path;
  for (SectionId id : server.locations) {
    const CompiledSection& s = sections_[id];
    const bool hit = s.regex || s.kind == SectionKind::LocationMatch ? match_regex(s, uri, out.env)
                     : s.fnmatch                                     ? fnmatch_ok(s.path, uri, FNM_PATHNAME)
                                                                     : location_prefix_match(s.path, uri);
    if (hit) out.applied.push_back(id);
  }

  // <If>: the server level's, then those nested in every applied section, in merge order.
  bool any_nested = false;
  for (SectionId id : out.applied) any_nested = any_nested || !sections_[id].ifs.empty();
  if (server.ifs.empty() && !any_nested) return;
  thread_local std::vector<SectionId> if_list;
  if_list.assign(server.ifs.begin(), server.ifs.end());
  for (SectionId id : out.applied) {
    const auto& nested = sections_[id].ifs;
    if_list.insert(if_list.end(), nested.begin(), nested.end());
  }
  // the conditions see the sections applied so far (a copy: walk_ifs appends to out.applied)
  thread_local std::vector<SectionId> merged;
  merged.assign(out.applied.begin(), out.applied.end());
  const IfWalkScope scope{this, merged};
  struct Restore {
    const IfWalkScope* saved;
    ~Restore() { if_walk_scope = saved; }
  } restore{if_walk_scope};
  if_walk_scope = &scope;
  walk_ifs(if_list, hook, out, 0); // recursion walks the sections' own lists, never if_list
}

} // namespace balancerd::runtime
