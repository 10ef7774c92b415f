#pragma once
// The URL path as Apache maps it to files: %XX decoded (an encoded '/' or NUL refused, as
// AllowEncodedSlashes Off does with 404), "." and ".." segments removed (a ".." above the root is
// a 400), and runs of '/' merged (MergeSlashes On).
#include <string>
#include <string_view>

namespace balancerd::pipeline {

enum class PathStatus { Ok, BadRequest, NotFound };

// Writes the normalised path into `out` (cleared first; its capacity is reused).
PathStatus normalise_path(std::string_view raw, std::string& out);

} // namespace balancerd::pipeline
