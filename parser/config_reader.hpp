#pragma once
// The read pass: text to tree, running Include/IncludeOptional, Define/UnDefine, LoadModule/LoadFile,
// ServerRoot, DefaultRuntimeDir and the <If*> read-time sections in file order, as Apache does.
#include "parser/ast.hpp"
#include "parser/read_hooks.hpp"

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace balancerd::parser {

struct ReadOptions {
  std::string server_root;                  // -d (default set by the caller)
  std::string config_file;                  // -f, relative to server_root when not absolute
  std::vector<std::string> defines;         // -D NAME, in order
  std::vector<std::string> pre_directives;  // -C "directive", read before the config file
  std::vector<std::string> post_directives; // -c "directive", read after it
};

struct ReadResult {
  std::vector<Node> tree;
  std::vector<IncludeRecord> includes;
  std::set<std::string> defines;                // names live at the end of reading (for -S "Define:")
  std::vector<std::string> define_order;        // same names, in definition order
  std::map<std::string, std::string> variables; // Define NAME VALUE
  std::string server_root;                      // final ServerRoot
  std::string default_runtime_dir;              // final DefaultRuntimeDir (absolute), empty if unset
};

// A read-pass error. what() is Apache's one-line text without the leading "apache2: ", already
// escaped the way Apache prints it (see parser/log_escape.hpp: "\n" between unclosed sections,
// "\\" for a backslash, "\xef" for a non-ASCII byte), e.g.
// "Syntax error on line 2 of /a.conf: Syntax error on line 7 of /b.conf: Expected </Location> but saw
// </Proxy>"
class ReadError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
  // Files opened before the error, in order: apache2 -D DUMP_INCLUDES prints them even when the
  // read fails (the list on stdout, then the error on stderr).
  std::vector<IncludeRecord> includes;
};

ReadResult read_config(const ReadOptions& options, ReadHooks& hooks);

} // namespace balancerd::parser
