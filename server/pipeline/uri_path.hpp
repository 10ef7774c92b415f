#pragma once
// The URL path as Apache maps it to files: %XX decoded (an encoded '/' or NUL refused, as
// AllowEncodedSlashes Off does with 404), "." and ".." segments removed (a ".." above the root is
// a 400), and runs of '/' merged (MergeSlashes On).
#include <string>
#include <string_view>

namespace balancerd::pipeline {

enum class PathStatus { Ok, BadRequest, NotFound };

// AllowEncodedSlashes: Off refuses %2F (404), On decodes it, NoDecode accepts it and keeps it encoded.
enum class EncodedSlashes : unsigned char { Off, On, NoDecode };

// Writes the normalised path into `out` (cleared first; its capacity is reused).
PathStatus normalise_path(std::string_view raw, std::string& out,
                          EncodedSlashes slashes = EncodedSlashes::Off);

} // namespace balancerd::pipeline
