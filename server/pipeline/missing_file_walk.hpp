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

// The path info (r->path_info, %{PATH_INFO}) of a request whose file name the walk cut at `name_end`
// of `file_path`: that cut-off tail, as a view into `uri` (a mapped name ends with the URI's own
// tail, under DocumentRoot as under an Alias, so the view lives as long as r->uri). Empty when
// nothing was cut or `uri` does not end with the tail.
std::string_view path_info_of(std::string_view uri, std::string_view file_path, std::size_t name_end);

// Whether the default handler answers for the regular file the walk stopped at, path info and all.
// `accept` is the merged AcceptPathInfo ("on", "off", "default"; empty when not set). Apache's
// handler refuses path info (404) for GET, HEAD and POST unless AcceptPathInfo is On; other methods
// are answered as for the file (OPTIONS with its type, 405, 501) whatever the setting.
bool default_handler_takes_path_info(std::string_view accept, bool get_head_or_post);

} // namespace balancerd::pipeline
