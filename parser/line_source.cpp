// The physical-line / continuation layer. One call per logical line, so reading stays lazy (an
// error later in a file never hides one earlier, as in Apache). A plain memchr scan: this runs for
// every line of every config file, and a large config has hundreds of thousands.
#include "parser/line_source.hpp"

#include <cstring>

namespace balancerd::parser {
namespace {

constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// One physical line from `begin`: its bytes up to LF or the end of input. Apache reads lines as C
// strings, so a NUL hides the rest of its physical line, and such a line never continues.
struct PhysicalLine {
  std::size_t len;  // bytes before the LF (or to the end of input)
  std::size_t text; // bytes before a NUL, else len
  bool lf, nul;
};

inline PhysicalLine scan_physical(const char* begin, std::size_t left) {
  const char* lf = static_cast<const char*>(std::memchr(begin, '\n', left));
  const std::size_t len = lf ? static_cast<std::size_t>(lf - begin) : left;
  const char* nul = static_cast<const char*>(std::memchr(begin, '\0', len));
  return {len, nul ? static_cast<std::size_t>(nul - begin) : len, lf != nullptr, nul != nullptr};
}

// Fills `out` with the trimmed logical line; false for a blank or comment line to skip.
inline bool emit(std::string_view t, unsigned line, bool keep_all, LogicalLine& out) {
  while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  if ((t.empty() || t.front() == '#') && !keep_all) return false;
  out.text = t;
  out.line = line;
  out.too_long = false;
  return true;
}

} // namespace

LineSource::LineSource(std::string contents, std::size_t max_line)
    : data_(std::move(contents)), max_line_(max_line) {}

bool LineSource::next(LogicalLine& out) {
  while (pos_ < data_.size()) {
    // Nearly every physical line is a whole logical line: give a view into the file's text instead
    // of a copy. Lines that continue (or are over the limit) take the general path below.
    {
      const char* begin = data_.data() + pos_;
      const auto [len, text, lf, nul] = scan_physical(begin, data_.size() - pos_);
      const bool continues =
          lf && !nul && text > 0 &&
          (begin[text - 1] == '\\' || (text >= 2 && begin[text - 1] == '\r' && begin[text - 2] == '\\'));
      if (!continues && text <= max_line_) {
        ++line_;
        pos_ += len + (lf ? 1 : 0);
        if (emit(std::string_view(begin, text), line_, keep_all_, out)) return true;
        continue;
      }
    }
    buffer_.clear();
    bool too_long = false;
    unsigned too_long_line = 0;
    // A physical line ending in "\" (or "\" CR) continues on the next one. The test is on the
    // joined buffer, as in Apache: an empty line after a continuation whose text itself ends in a
    // backslash continues again.
    while (true) {
      ++line_;
      const char* begin = data_.data() + pos_;
      const auto [len, text, lf, nul] = scan_physical(begin, data_.size() - pos_);
      if (!too_long && text > 0) {
        if (buffer_.size() + text > max_line_) {
          too_long = true;
          too_long_line = line_;
        } else {
          buffer_.append(begin, text);
        }
      }
      pos_ += len + (lf ? 1 : 0);
      if (!lf || nul || too_long) break;
      if (buffer_.size() >= 2 && buffer_.back() == '\r' && buffer_[buffer_.size() - 2] == '\\')
        buffer_.pop_back();
      if (buffer_.empty() || buffer_.back() != '\\') break;
      buffer_.pop_back();
      if (pos_ >= data_.size()) break;
    }
    if (too_long) {
      // Reading ends here: the caller reports the error.
      out.text = {};
      out.line = too_long_line;
      out.too_long = true;
      return true;
    }
    if (emit(buffer_, line_, keep_all_, out)) return true;
  }
  return false;
}

} // namespace balancerd::parser
