#pragma once
// apache2's command-line options, parsed as Apache's getopt loop does ("-f file" or "-ffile").
#include <optional>
#include <string>
#include <vector>

namespace balancerd::cli {

struct Options {
  std::string program = "balancerd";        // argv[0]'s base name, used in messages
  std::string server_root;                  // -d (empty: the default)
  std::string config_file;                  // -f (empty: the default)
  std::vector<std::string> defines;         // -D, in order (incl. the ones -S/-M imply)
  std::vector<std::string> pre_directives;  // -C
  std::vector<std::string> post_directives; // -c
  std::string signal;                       // -k
  bool config_test = false;                 // -t (also set by -S, -M)
  bool version = false;                     // -v
  bool version_details = false;             // -V
  bool help = false;                        // -h
  bool list_compiled = false;               // -l
  bool list_directives = false;             // -L
  bool foreground_single = false;           // -X
  bool no_docroot_check = false;            // -T
  std::string startup_log_level;            // -e
  std::string startup_log_file;             // -E
  bool has_define(const std::string& name) const;
};

// nullopt on an unknown option or a missing value; `error` then holds "illegal option -- X" or
// "option requires an argument -- X".
std::optional<Options> parse_options(int argc, char** argv, std::string& error);

// Apache's usage text for `program`.
std::string usage_text(const std::string& program);

} // namespace balancerd::cli
