// Small parsing helpers shared by the core handlers, with Apache's lenient semantics.
#include "directives/modules/core_handlers.hpp"

#include "parser/words.hpp"

#include <cerrno>
#include <cstdlib>

namespace balancerd::directives::core {

std::vector<std::string> word_list(const CmdParms& cmd, Args args) {
  if (cmd.def.shape == ArgShape::RawArgs)
    return args.empty() ? std::vector<std::string>{} : parser::split_words(args[0]);
  return {args.begin(), args.end()};
}

int apache_atoi(const std::string& s) {
  return std::atoi(s.c_str());
}

std::optional<long long> parse_time_ms(const std::string& s) {
  // ap_timeout_parameter_parse: a decimal number followed by an optional unit (default seconds).
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end == s.c_str()) return std::nullopt;
  const std::string unit(end);
  if (unit.empty() || unit == "s") return value * 1000;
  if (unit == "ms") return value;
  if (unit == "mi") return value * 60 * 1000;
  if (unit == "h") return value * 3600 * 1000;
  return std::nullopt;
}

std::string server_root_relative(const CmdParms& cmd, const std::string& path) {
  if (path.empty() || path.front() == '/' || path.front() == '|' || path.rfind("syslog", 0) == 0) return path;
  const std::string& root = cmd.config.server_root;
  if (root.empty()) return path;
  return root.back() == '/' ? root + path : root + "/" + path;
}

} // namespace balancerd::directives::core
