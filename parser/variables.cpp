#include "parser/variables.hpp"

#include <cstdlib>

namespace balancerd::parser {

bool substitute_variables(std::string_view line, const std::map<std::string, std::string, std::less<>>& vars,
                          const std::function<void(std::string_view name)>& warn, std::string& out) {
  std::size_t start = line.find("${");
  if (start == std::string_view::npos) return false;
  std::string result;
  result.reserve(line.size() + 32);
  std::size_t pos = 0;
  while (start != std::string_view::npos) {
    std::size_t close = line.find('}', start + 2);
    if (close == std::string_view::npos) break; // "${" without "}" stays as typed
    result.append(line.substr(pos, start - pos));
    std::string_view name = line.substr(start + 2, close - start - 2);
    if (auto it = vars.find(name); it != vars.end()) {
      result.append(it->second);
    } else if (const char* env = std::getenv(std::string(name).c_str()); env != nullptr) {
      result.append(env);
    } else {
      result.append(line.substr(start, close - start + 1));
      if (name.find(':') == std::string_view::npos) warn(name);
    }
    pos = close + 1;
    start = line.find("${", pos);
  }
  result.append(line.substr(pos));
  out = std::move(result);
  return true;
}

} // namespace balancerd::parser
