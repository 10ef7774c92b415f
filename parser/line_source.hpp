#pragma once
// Logical lines of one config file, as Apache's reader produces them: LF ends a physical line,
// backslash + LF (or + CR LF) joins the next one directly, leading and trailing isspace() is
// trimmed, blank lines and lines starting with '#' are dropped. Line numbers are physical.
#include <cstddef>
#include <string>
#include <string_view>

namespace balancerd::parser {

// Apache accepts a logical line of up to 16 MiB - 1 bytes.
inline constexpr std::size_t kMaxLogicalLine = 16u * 1024u * 1024u - 1u;

struct LogicalLine {
  std::string_view text; // trimmed; valid until the next call to next()
  unsigned line = 0;     // physical line where the logical line ends
  bool too_long = false; // over kMaxLogicalLine; `line` is where the limit was crossed
};

class LineSource {
public:
  explicit LineSource(std::string contents, std::size_t max_line = kMaxLogicalLine);
  // The next non-blank, non-comment logical line; false at end of input.
  bool next(LogicalLine& out);
  unsigned current_line() const { return line_; }
  // mod_macro reads a macro body with blank and comment lines included (it counts them apart).
  void set_keep_blank_and_comments(bool keep) { keep_all_ = keep; }

private:
  std::string data_;
  std::string buffer_;
  std::size_t pos_ = 0;
  unsigned line_ = 0;
  std::size_t max_line_;
  bool keep_all_ = false;
};

} // namespace balancerd::parser
