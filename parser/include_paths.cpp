#include "parser/include_paths.hpp"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace balancerd::parser {
namespace {

// Apache gives up on directory recursion past this depth (the top directory is level 1).
constexpr unsigned kMaxDirDepth = 128;

bool is_directory(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

std::string join(const std::string& dir, std::string_view name) {
  std::string r = dir;
  if (r.empty() || r.back() != '/') r.push_back('/');
  r.append(name);
  return r;
}

// Entry names of `dir` without "." and ".."; false (errno kept) when it cannot be opened.
bool list_dir(const std::string& dir, std::vector<std::string>& names) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return false;
  while (const dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    names.emplace_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end()); // strcmp order: same prefix, so names decide
  return true;
}

// A directory named as a plain Include path: everything in it, recursively, without recursion
// in the C++ sense (a deep tree must not exhaust the stack).
void expand_directory(const std::string& top, std::vector<IncludeItem>& out) {
  struct Pending {
    std::string path;
    unsigned level;
  };
  std::vector<Pending> stack{{top, 1}};
  while (!stack.empty()) {
    Pending p = std::move(stack.back());
    stack.pop_back();
    if (!is_directory(p.path)) {
      out.push_back({p.path, {}});
      continue;
    }
    if (p.level > kMaxDirDepth) {
      out.push_back({p.path, "Include/IncludeOptional: Directory '" + p.path +
                                 "' exceeds the maximum include directory nesting level of 128. "
                                 "You have probably a recursion somewhere."});
      return;
    }
    std::vector<std::string> names;
    if (!list_dir(p.path, names)) {
      out.push_back({p.path, "Could not open config directory " + p.path + ": " + std::strerror(errno)});
      return;
    }
    for (auto it = names.rbegin(); it != names.rend(); ++it)
      stack.push_back({join(p.path, *it), p.level + 1});
  }
}

void expand_plain(const std::string& path, bool optional, std::vector<IncludeItem>& out) {
  if (is_directory(path)) {
    expand_directory(path, out);
  } else if (!optional || exists(path)) {
    out.push_back({path, {}}); // opening it reports a missing or unreadable file
  }
}

// `dir` holds no wildcard; `rest` is the remaining pattern (components separated by '/').
void expand_pattern(const std::string& dir, std::string_view rest, bool optional,
                    std::vector<IncludeItem>& out, unsigned guard) {
  // Components without wildcards are simply appended.
  std::string base = dir;
  while (true) {
    std::size_t slash = rest.find('/');
    std::string_view comp = rest.substr(0, slash);
    if (has_wildcard(comp)) break;
    base = comp.empty() ? base : join(base, comp);
    if (slash == std::string_view::npos) {
      expand_plain(base, optional, out);
      return;
    }
    rest.remove_prefix(slash + 1);
  }
  std::size_t slash = rest.find('/');
  std::string pattern(rest.substr(0, slash));
  std::string_view tail = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  bool need_dir = slash != std::string_view::npos;

  std::vector<std::string> names;
  if (!list_dir(base, names)) {
    if (!optional)
      out.push_back(
          {base, "Include/IncludeOptional: Could not open directory " + base + ": " + std::strerror(errno)});
    return;
  }
  std::vector<std::string> matches;
  for (const auto& n : names) {
    if (::fnmatch(pattern.c_str(), n.c_str(), FNM_PERIOD) != 0) continue;
    std::string full = join(base, n);
    if (need_dir && !is_directory(full)) continue;
    matches.push_back(std::move(full));
  }
  if (matches.empty()) {
    if (!optional)
      out.push_back({base, "Include/IncludeOptional: No matches for the wildcard '" + pattern + "' in '" +
                               base + "', failing"});
    return;
  }
  for (const auto& m : matches) {
    if (!need_dir) {
      expand_plain(m, optional, out);
    } else if (guard < 64) { // a pattern has at most a few dozen components; bounded regardless
      expand_pattern(m, tail, optional, out, guard + 1);
    }
    if (!out.empty() && !out.back().error.empty()) return; // Apache stops at the first error
  }
}

} // namespace

namespace {

// A relative ServerRoot (-d sub) stays relative, as Apache leaves it: the base is kept exactly as
// written, and each component of `path` is appended to it ("." and empty ones dropped, ".." removing
// the previous component of the joined text, root components included, or piling up as "../" when
// there is none left). Behaviour probed with apache2 -d sub / ./sub / sub//x/../ -D DUMP_INCLUDES.
std::string merge_relative(std::string_view base, std::string_view path) {
  std::string r(base);
  if (!r.empty() && r.back() != '/') r.push_back('/');
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    std::string_view comp = path.substr(0, slash);
    bool last = slash == std::string_view::npos;
    path = last ? std::string_view{} : path.substr(slash + 1);
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      bool up = r.empty() || r == "../" || (r.size() > 3 && r.ends_with("/../"));
      if (up) {
        r += "../";
      } else {
        r.pop_back(); // the '/' ending the previous component
        while (!r.empty() && r.back() != '/') r.pop_back();
      }
      continue;
    }
    r.append(comp);
    if (!last) r.push_back('/');
  }
  return r;
}

} // namespace

std::string resolve_path(std::string_view base, std::string_view path) {
  if (!base.empty() && base.front() != '/' && (path.empty() || path.front() != '/'))
    return merge_relative(base, path);
  std::string joined;
  if (!path.empty() && path.front() == '/') {
    joined = path;
  } else {
    joined = base;
    joined.push_back('/');
    joined.append(path);
  }
  std::vector<std::string_view> parts;
  std::string_view s = joined;
  bool trailing_slash = !s.empty() && s.back() == '/';
  while (!s.empty()) {
    std::size_t slash = s.find('/');
    std::string_view comp = s.substr(0, slash);
    s = slash == std::string_view::npos ? std::string_view{} : s.substr(slash + 1);
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(comp);
  }
  std::string r;
  for (auto p : parts) {
    r.push_back('/');
    r.append(p);
  }
  if (r.empty() || (trailing_slash && r.size() > 1)) r.push_back('/');
  return r;
}

bool has_wildcard(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      ++i;
    } else if (c == '*' || c == '?') {
      return true;
    } else if (c == '[' && s.find(']', i + 1) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

std::vector<IncludeItem> expand_include(const std::string& path, bool optional) {
  std::vector<IncludeItem> out;
  if (!has_wildcard(path)) {
    expand_plain(path, optional, out);
    return out;
  }
  expand_pattern("/", std::string_view(path).substr(1), optional, out, 0);
  return out;
}

} // namespace balancerd::parser
