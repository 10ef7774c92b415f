#pragma once
// A configuration error as Apache reports it: only the first one, then exit 1.
#include "parser/ast.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace balancerd::directives {

class ConfigError : public std::runtime_error {
public:
  enum class Kind {
    Read,  // read pass: "Syntax error on line N of F: MSG"; the program prints "NAME: " before it
    Walk,  // walk pass: "AH00526: Syntax error on line N of F:\nMSG", printed as is
    Other, // complete text printed as is (e.g. "AH00534: NAME: Configuration error: No MPM loaded.")
  };
  ConfigError(Kind kind, const std::string& text) : std::runtime_error(text), kind_(kind) {}
  Kind kind() const { return kind_; }
  // The files read before a walk-pass error (apache2 -t -D DUMP_INCLUDES still lists them).
  const std::vector<parser::IncludeRecord>& includes() const { return includes_; }
  void set_includes(std::vector<parser::IncludeRecord> includes) { includes_ = std::move(includes); }
  // The line(s) to print to stderr for program `program` (argv[0]'s base name).
  std::string report(const std::string& program) const {
    return kind_ == Kind::Read ? program + ": " + what() : std::string(what());
  }

private:
  Kind kind_;
  std::vector<parser::IncludeRecord> includes_;
};

// "AH00526: Syntax error on line N of FILE:\nMESSAGE": two log lines, each escaped as Apache's error
// log escapes them (a BOM in a name shows as \xef\xbb\xbf).
std::string format_walk_error(const std::string& file, unsigned line, const std::string& message);

} // namespace balancerd::directives
