#pragma once
// The configuration tree as Apache's read pass builds it: one node per logical line, sections with
// children. The parser attaches no meaning to names; the directives layer dispatches on them.
#include <memory>
#include <string>
#include <vector>

namespace balancerd::parser {

struct Node {
  // First word exactly as typed after ${VAR} substitution. A section opener keeps its '<' and loses a
  // '>' that ends the first word: "<Location", "<Else".
  std::string name;
  // The raw rest of the logical line after the name, leading blanks removed. For a section opener it
  // still ends with the '>' (its absence is an error the section's handler reports, as in Apache);
  // "<Else>" or "<VirtualHost>" alone gives args ">" (so the handler says "requires additional
  // arguments", not "missing closing '>'", as Apache does).
  std::string args;
  std::shared_ptr<const std::string> file; // path exactly as opened
  unsigned line = 0;                       // physical line where the logical line ends
  bool is_section = false;                 // opened with <Name ...> and closed with </Name>
  std::vector<Node> children;
};

// One entry per file the read pass opened, in order, for -D DUMP_INCLUDES.
struct IncludeRecord {
  unsigned depth = 0;       // 0 for the main config file
  unsigned included_at = 0; // line of the Include in the parent (0 for the main file)
  std::string path;
};

} // namespace balancerd::parser
