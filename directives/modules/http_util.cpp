#include "directives/modules/http_util.hpp"

#include "parser/words.hpp"

#include <algorithm>
#include <cctype>

namespace balancerd::directives::http {

std::vector<std::string> words_of(std::string_view raw) {
  return parser::split_words(raw);
}

std::string server_root_relative(const CmdParms& cmd, std::string_view path) {
  if (!path.empty() && path.front() == '/') return std::string(path);
  std::string root = cmd.config.server_root;
  if (root.empty()) return std::string(path);
  if (root.back() != '/') root += '/';
  return root + std::string(path);
}

bool in_dir_section(const CmdParms& cmd) {
  return cmd.section != nullptr;
}

SourceFile file_of(const CmdParms& cmd) {
  return cmd.node.file;
}

int loose_atoi(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  long v = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && v < 1000000000L)
    v = v * 10 + (s[i++] - '0');
  return static_cast<int>(neg ? -v : v);
}

} // namespace balancerd::directives::http
