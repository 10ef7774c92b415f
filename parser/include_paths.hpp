#pragma once
// Path rules of the read pass: ServerRoot-relative resolution and the expansion of an Include /
// IncludeOptional argument into the ordered list of files Apache would read.
#include <string>
#include <string_view>
#include <vector>

namespace balancerd::parser {

// `path` made absolute against `base` (when relative) and normalised the way APR merges paths:
// repeated slashes collapse, "." disappears, ".." removes the previous component. A relative `base`
// (-d with a relative directory) is kept as written and the result stays relative.
std::string resolve_path(std::string_view base, std::string_view path);

// True when `s` holds an fnmatch wildcard ('*', '?', or a '[' with a later ']').
bool has_wildcard(std::string_view s);

// One step of an expanded Include: a file to read, or the error Apache would report at that point
// (errors are deferred so that the files listed before them are still read first).
struct IncludeItem {
  std::string path;
  std::string error; // non-empty: fail with this text when reached
};

// Expands an absolute include path: a file, a directory (read recursively, every entry including
// dot-files, sorted by strcmp), or a wildcard pattern (leading dots must match explicitly,
// wildcards in directory components match only directories). `optional` is IncludeOptional.
std::vector<IncludeItem> expand_include(const std::string& path, bool optional);

} // namespace balancerd::parser
