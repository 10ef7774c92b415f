#include "server/handlers/redirects.hpp"

namespace balancerd::handlers {

namespace {

// "$0".."$9" replaced by the groups of the match, "\$" kept literal.
std::string substitute(std::string_view tmpl, std::string_view subject,
                       const std::vector<std::pair<std::size_t, std::size_t>>& groups) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c == '\\' && i + 1 < tmpl.size() && (tmpl[i + 1] == '$' || tmpl[i + 1] == '&')) {
      out.push_back(tmpl[++i]);
    } else if (c == '$' && i + 1 < tmpl.size() && tmpl[i + 1] >= '0' && tmpl[i + 1] <= '9') {
      std::size_t g = static_cast<std::size_t>(tmpl[++i] - '0');
      if (g < groups.size() && groups[g].first != std::string_view::npos)
        out.append(subject.substr(groups[g].first, groups[g].second));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

} // namespace

std::size_t alias_prefix(std::string_view fake, std::string_view path) {
  std::size_t a = 0, u = 0;
  while (a < fake.size()) {
    if (fake[a] == '/') {
      if (u >= path.size() || path[u] != '/') return std::string_view::npos;
      while (a < fake.size() && fake[a] == '/') ++a;
      while (u < path.size() && path[u] == '/') ++u;
    } else {
      if (u >= path.size() || path[u] != fake[a]) return std::string_view::npos;
      ++a;
      ++u;
    }
  }
  // the match must end at a segment boundary
  if (!fake.empty() && fake.back() != '/' && u < path.size() && path[u] != '/') return std::string_view::npos;
  return u;
}

AliasResult match_redirects(const std::vector<directives::AliasRule>& rules, std::string_view path,
                            std::string_view query) {
  AliasResult r;
  for (const auto& rule : rules) {
    if (rule.kind != directives::AliasRule::Kind::Redirect) continue;
    std::string target;
    if (rule.regex) {
      std::vector<std::pair<std::size_t, std::size_t>> groups;
      if (!rule.regex->search(path, &groups)) continue;
      target = substitute(rule.real, path, groups);
    } else {
      std::size_t n = alias_prefix(rule.fake, path);
      if (n == std::string_view::npos) continue;
      target = rule.real;
      if (!target.empty()) {
        target.append(path.substr(n));
        if (!query.empty()) {
          target.push_back('?');
          target.append(query);
        }
      }
    }
    r.status = rule.status ? rule.status : 302;
    if (rule.real.empty() || (r.status < 300 || r.status > 399)) {
      r.kind = AliasResult::Kind::Gone;
      return r;
    }
    r.kind = AliasResult::Kind::Redirect;
    r.target = std::move(target);
    return r;
  }
  return r;
}

AliasResult match_aliases(const std::vector<directives::AliasRule>& rules, std::string_view path) {
  AliasResult r;
  for (const auto& rule : rules) {
    if (rule.kind == directives::AliasRule::Kind::Redirect) continue;
    if (rule.regex) {
      std::vector<std::pair<std::size_t, std::size_t>> groups;
      if (!rule.regex->search(path, &groups)) continue;
      r.kind = AliasResult::Kind::File;
      r.target = substitute(rule.real, path, groups);
      return r;
    }
    std::size_t n = alias_prefix(rule.fake, path);
    if (n == std::string_view::npos) continue;
    r.kind = AliasResult::Kind::File;
    r.target = rule.real;
    r.target.append(path.substr(n));
    return r;
  }
  return r;
}

} // namespace balancerd::handlers
