#include "parser/macro.hpp"

#include "parser/ascii_case.hpp"
#include "parser/words.hpp"

#include <algorithm>

namespace balancerd::parser {
namespace {

// The scan both substitution and the "never used" check make: at each position the longest
// parameter name that starts there; replaced text is not scanned again.
template <class OnParam>
void scan_macro_args(std::string_view line, const std::vector<std::string>& params, OnParam&& on_param,
                     std::string* literal) {
  std::size_t i = 0;
  while (i < line.size()) {
    std::size_t best = params.size();
    for (std::size_t p = 0; p < params.size(); ++p) {
      const std::string& name = params[p];
      if (name.empty() || line.compare(i, name.size(), name) != 0) continue;
      if (best == params.size() || name.size() > params[best].size()) best = p;
    }
    if (best == params.size()) {
      if (literal) *literal += line[i];
      ++i;
      continue;
    }
    on_param(best);
    i += params[best].size();
  }
}

} // namespace

std::variant<std::string, Macro> MacroTable::parse_header(std::string_view args, std::string location,
                                                          const Warn& warn) {
  if (args.empty() || args.back() != '>') return std::string("<Macro> directive missing closing '>'");
  args.remove_suffix(1);
  Macro m;
  m.location = std::move(location);
  std::string name = next_word(args);
  if (name.empty()) return std::string("<Macro macro definition: empty name");
  m.name = ascii_lower(name);
  for (std::string w = next_word(args); !w.empty(); w = next_word(args)) m.params.push_back(std::move(w));
  const std::string label = m.label();
  for (std::size_t i = 0; i < m.params.size(); ++i) {
    char c = m.params[i][0];
    if (c != '$' && c != '%' && c != '@')
      warn("AH02796: " + label + " argument name '" + m.params[i] + "' (#" + std::to_string(i + 1) +
           ") without expected prefix, better prefix argument names with one of '$%@'.");
  }
  for (std::size_t i = 0; i < m.params.size(); ++i) {
    for (std::size_t j = i + 1; j < m.params.size(); ++j) {
      const std::string& a = m.params[i];
      const std::string& b = m.params[j];
      if (a == b)
        return "argument name conflict in " + label + ": argument '" + a + "': #" + std::to_string(i + 1) +
               " and #" + std::to_string(j + 1) + ", change argument names!";
      if (b.starts_with(a) || a.starts_with(b))
        warn("AH02797: " + label + ": argument name prefix conflict (" + a + " #" + std::to_string(i + 1) +
             " and " + b + " #" + std::to_string(j + 1) + "), be careful about your macro definition!");
    }
  }
  return m;
}

void MacroTable::define(Macro m, const Warn& warn) {
  const std::string label = m.label();
  if (auto old = macros_.find(m.name); old != macros_.end())
    warn("AH02802: macro '" + m.name + "' multiply defined: " + old->second.location + ", re" + m.location);
  if (m.body.empty()) {
    warn("AH02799: " + label + ": empty contents!");
  } else {
    // Section balance, as mod_macro counts it: a line opening with "</" closes, any other "<" opens.
    int depth = 0;
    for (std::size_t i = 0; i < m.body.size() && !ignore_bad_nesting; ++i) {
      std::string_view t = m.body[i].text;
      if (t.size() < 2 || t[0] != '<') continue;
      if (t[1] == '/') {
        if (--depth < 0)
          warn("AH02793: bad (negative) nesting on line " + std::to_string(i + 2) + " of " + label);
      } else {
        ++depth;
      }
    }
    if (depth != 0 && !ignore_bad_nesting)
      warn("AH02795: bad cumulated nesting (" + std::string(depth > 0 ? "+" : "") + std::to_string(depth) +
           ") in " + label);
    // "Used" means the substitution scan would replace it somewhere: "$a" inside "$ab" is not a use.
    std::vector<bool> used(m.params.size(), false);
    for (const auto& l : m.body)
      scan_macro_args(
          l.text, m.params, [&](std::size_t p) { used[p] = true; }, nullptr);
    for (std::size_t i = 0; i < m.params.size(); ++i)
      if (!used[i])
        warn("AH02800: " + label + ": argument '" + m.params[i] + "' (#" + std::to_string(i + 1) +
             ") never used");
  }
  ever_defined_ = true;
  std::string key = m.name;
  macros_.insert_or_assign(std::move(key), std::move(m));
}

std::optional<std::string> MacroTable::undefine(std::string_view args) {
  std::string name = next_word(args);
  if (name.empty() || !next_word(args).empty())
    return "UndefMacro takes one argument, Remove a macro definition.";
  if (!ever_defined_) return "no macro defined before UndefMacro";
  auto it = macros_.find(ascii_lower(name));
  if (it == macros_.end()) return "cannot remove undefined macro '" + ascii_lower(name) + "'";
  macros_.erase(it);
  return std::nullopt;
}

std::variant<std::string, MacroTable::Use> MacroTable::use(std::string_view args, std::string_view used_where,
                                                           const std::vector<std::string>& active,
                                                           const Warn& warn) const {
  if (!ever_defined_) return std::string("no macro defined before Use");
  std::string name = next_word(args);
  if (name.empty()) return std::string("no macro name specified with Use");
  name = ascii_lower(name);
  auto it = macros_.find(name);
  if (it == macros_.end()) return "macro '" + name + "' undefined";
  const Macro& m = it->second;
  if (std::find(active.begin(), active.end(), name) != active.end())
    return "recursive use of macro '" + name + "' is invalid";
  std::vector<std::string> values;
  while (!args.empty()) values.push_back(next_word(args)); // "" is an (empty) argument
  if (values.size() != m.params.size())
    return m.label() + " used with " + std::to_string(values.size()) + " arguments instead of " +
           std::to_string(m.params.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i].empty() && !ignore_empty_args)
      warn("AH02798: " + m.label() + " " + std::string(used_where) + ": empty argument #" +
           std::to_string(i + 1));
  Use u;
  u.macro = &m;
  unsigned n = 0;
  for (const auto& l : m.body) {
    if (l.comment) continue;
    ++n;
    if (l.text.empty()) continue;
    u.lines.push_back({n, substitute_macro_args(l.text, m.params, values)});
  }
  return u;
}

std::string substitute_macro_args(std::string_view line, const std::vector<std::string>& params,
                                  const std::vector<std::string>& values) {
  std::string out;
  out.reserve(line.size());
  scan_macro_args(
      line, params, [&](std::size_t p) { out += values[p]; }, &out);
  return out;
}

} // namespace balancerd::parser
