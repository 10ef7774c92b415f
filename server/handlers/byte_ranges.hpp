#pragma once
// The Range header for a static file, as Apache's byterange filter reads it: "bytes=" followed by
// a comma list of first-last, first- and -suffix specs. A syntax error anywhere means "ignore the
// header" (200 with the whole file); specs beyond the end are dropped and none left means 416.
// Overlapping or adjacent specs are merged in order, as Apache 2.4 does.
#include <cstdint>
#include <string_view>
#include <vector>

namespace balancerd::handlers {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0; // inclusive
  std::uint64_t length() const noexcept { return last - first + 1; }
};

enum class RangeOutcome { Whole, Partial, Unsatisfiable };

// `out` is cleared and reused (no allocation once it has capacity).
RangeOutcome parse_ranges(std::string_view header, std::uint64_t size, std::vector<ByteRange>& out);

} // namespace balancerd::handlers
