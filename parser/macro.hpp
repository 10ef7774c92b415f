#pragma once
// mod_macro's read-time language: <Macro name params...> ... </Macro>, Use and UndefMacro. Apache
// expands a Use into the reading loop itself (its lines come before the rest of the file), so
// sections may open in a macro and close after it; the expanded lines are named
// `macro 'name' (defined on line N of "F") used on line M of "G"` in error messages. Behaviour
// measured on apache2 2.4.71: a body line number counts blank lines but not comment lines; values
// are substituted textually (earliest occurrence first, the longest name on a tie, never rescanned);
// ${VAR} is resolved when the expanded line is read, not when the macro is defined.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace balancerd::parser {

struct MacroBodyLine {
  std::string text; // trimmed logical line
  bool comment = false;
};

struct Macro {
  std::string name;                // lower-case
  std::vector<std::string> params; // as written
  std::vector<MacroBodyLine> body;
  std::string location; // `defined on line N of "F"`
  // `macro 'name' (defined on line N of "F")`, the prefix of most messages.
  std::string label() const { return "macro '" + name + "' (" + location + ")"; }
};

struct ExpandedLine {
  unsigned line = 0; // line number within the macro, as Apache counts it
  std::string text;
};

class MacroTable {
public:
  using Warn = std::function<void(const std::string&)>; // one AH0279x warning line

  // `args`: the text after "<Macro" (still ending with '>'). Checks the name and parameters, logs
  // Apache's warnings about them; returns the error text, or a macro without body.
  static std::variant<std::string, Macro> parse_header(std::string_view args, std::string location,
                                                       const Warn& warn);
  // Stores a complete definition after Apache's checks of it (redefinition, empty body, section
  // nesting, unused parameters), which only warn.
  void define(Macro macro, const Warn& warn);
  // UndefMacro; returns an error text or nothing.
  std::optional<std::string> undefine(std::string_view args);
  // Use: the macro and its arguments checked; returns the error text or the expansion.
  struct Use {
    const Macro* macro = nullptr;
    std::vector<ExpandedLine> lines;
  };
  std::variant<std::string, Use> use(std::string_view args, std::string_view used_where,
                                     const std::vector<std::string>& active, const Warn& warn) const;

  bool ever_defined() const { return ever_defined_; }
  // MacroIgnoreEmptyArgs / MacroIgnoreBadNesting: global from where they are read (any arguments
  // are ignored, as apache2 does).
  bool ignore_empty_args = false;
  bool ignore_bad_nesting = false;

private:
  std::map<std::string, Macro, std::less<>> macros_;
  bool ever_defined_ = false;
};

// Replaces parameter names by values in `line` (earliest occurrence first, longest name on a tie).
std::string substitute_macro_args(std::string_view line, const std::vector<std::string>& params,
                                  const std::vector<std::string>& values);

} // namespace balancerd::parser
