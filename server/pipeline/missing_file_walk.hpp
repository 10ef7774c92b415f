#pragma once
// Where Apache's directory walk stops for a mapped file name that does not exist: at the first segment
// that is missing or is not a directory. That prefix is r->filename (%f, REQUEST_FILENAME, the file the
// <Directory> and <Files> sections see, what a "proxy:" handler appends); the rest is path info.
// Called only after stat() of the whole name failed, so a request for an existing file pays nothing.
#include <cstddef>
#include <string_view>

namespace balancerd::pipeline {

// The length of `file_path`'s prefix that ends at the first missing or non-directory segment (the
// whole length when every segment but the last is a directory, or when the last one is missing).
std::size_t missing_file_walk_end(std::string_view file_path);

} // namespace balancerd::pipeline
