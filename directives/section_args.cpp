#include "directives/section_args.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace balancerd::directives {

std::string missing_closing_gt(const CmdParms& cmd) {
  return std::string(cmd.def.name) + "> directive missing closing '>'";
}

std::string requires_additional_arguments(const CmdParms& cmd) {
  return std::string(cmd.def.name) + "> directive requires additional arguments";
}

std::optional<std::string> section_arg_text(const CmdParms& cmd, std::string& out, bool required) {
  const std::string& args = cmd.node.args;
  const auto gt = args.rfind('>');
  if (gt == std::string::npos) return missing_closing_gt(cmd);
  out = args.substr(0, gt);
  if (required && out.empty()) return requires_additional_arguments(cmd);
  return std::nullopt;
}

Section& open_section(CmdParms& cmd, SectionKind kind, std::string pattern, bool regex) {
  std::vector<Section>& into = cmd.section ? cmd.section->nested : cmd.server.sections;
  // Built in place: a Section is some 300 bytes, and every <Location> of a large config opens one.
  Section& s = into.emplace_back();
  s.kind = kind;
  s.pattern = std::move(pattern);
  s.regex = regex;
  s.file = cmd.node.file;
  s.line = cmd.node.line;
  return s;
}

bool regex_compiles(const std::string& pattern, bool caseless) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), pattern.size(),
                                   caseless ? PCRE2_CASELESS : 0, &error, &offset, nullptr);
  if (!code) return false;
  pcre2_code_free(code);
  return true;
}

} // namespace balancerd::directives
